/**
 * The WebSocket side of tshark's packet log, for a conversation an HTTP `101 Switching
 * Protocols` answer with `Upgrade: websocket` handed over. Each frame that a segment completes
 * is named by its header alone — `WebSocket Text [FIN] [MASKED]` — and, as tshark sets the
 * column anew for every frame, a segment completing several shows the last. A segment that
 * completes none is a TCP segment of a reassembled PDU.
 *
 * Only headers are kept: the payload of a frame in progress is counted, not stored, so a frame
 * announcing 2^63 bytes costs nothing (RFC 6455 §5.2).
 */

export type WebSocketSegmentSummary =
  | { readonly kind: 'message'; readonly protocol: 'WebSocket'; readonly info: string }
  | { readonly kind: 'segment'; readonly info: null };

const OPCODES: Readonly<Record<number, string>> = {
  0: 'Continuation',
  1: 'Text',
  2: 'Binary',
  8: 'Connection Close',
  9: 'Ping',
  10: 'Pong',
};

/** The longest frame header: 2 bytes, a 64-bit length, a 4-byte mask. */
const MAX_HEADER = 14;

/** One direction: the start of a header not yet complete, or the rest of a frame's payload. */
interface Direction {
  header: Uint8Array;
  /** Payload bytes of the current frame still to come, and its name once they have. */
  remaining: number;
  info: string;
}

export class WebSocketLogConversation {
  readonly #dirs: [Direction, Direction] = [newDirection(), newDirection()];

  /** In-order payload of one segment sent in direction `dir`; null for an empty one (plain TCP). */
  onSegment(dir: 0 | 1, b: Uint8Array): WebSocketSegmentSummary | null {
    if (b.length === 0) return null;
    const d = this.#dirs[dir];
    let last: string | null = null;
    let pos = 0;
    if (d.remaining > 0) {
      const take = Math.min(d.remaining, b.length);
      d.remaining -= take;
      pos = take;
      if (d.remaining === 0) last = d.info;
    }
    while (pos < b.length) {
      const data = d.header.length > 0 ? Buffer.concat([d.header, b.subarray(pos, pos + MAX_HEADER)]) : b.subarray(pos);
      const head = frameHeader(data);
      if (head === null) {
        d.header = Uint8Array.from(data.subarray(0, Math.min(data.length, MAX_HEADER)));
        break;
      }
      // Of this segment, the header took what was not held over from the last one.
      pos += head.length - d.header.length;
      d.header = EMPTY;
      const take = Math.min(head.payload, b.length - pos);
      pos += take;
      if (take === head.payload) last = head.info;
      else {
        d.remaining = head.payload - take;
        d.info = head.info;
      }
    }
    return last === null ? { kind: 'segment', info: null } : { kind: 'message', protocol: 'WebSocket', info: last };
  }
}

const EMPTY = new Uint8Array(0);

function newDirection(): Direction {
  return { header: EMPTY, remaining: 0, info: '' };
}

/** A frame's header: its length, its payload's length and its name; null when incomplete. */
function frameHeader(b: Uint8Array): { length: number; payload: number; info: string } | null {
  if (b.length < 2) return null;
  const first = b[0] as number;
  const second = b[1] as number;
  const masked = (second & 0x80) !== 0;
  const short = second & 0x7f;
  const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
  const length = 2 + lengthBytes + (masked ? 4 : 0);
  if (b.length < length) return null;
  let payload = short;
  if (short === 126) payload = ((b[2] as number) << 8) | (b[3] as number);
  else if (short === 127) {
    // Past 2^53 the count is approximate; such a frame never completes anyway.
    payload = 0;
    for (let i = 2; i < 10; i++) payload = payload * 256 + (b[i] as number);
  }
  const fin = (first & 0x80) !== 0;
  // tshark sets the column per frame: "WebSocket ", the opcode, then " [FIN]" or "[FRAGMENT] ", then " [MASKED]" or " ".
  const info = `WebSocket ${OPCODES[first & 0x0f] ?? 'Unknown Opcode'}${fin ? ' [FIN]' : '[FRAGMENT] '}${masked ? ' [MASKED]' : ' '}`;
  return { length, payload, info };
}
