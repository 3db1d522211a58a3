import type { ProtocolEvent, WebSocketFrame } from './events.js';
import { PART, PDUS, type Reading } from './reading.js';

/**
 * WebSocket, for a conversation an HTTP `101 Switching Protocols` answer with `Upgrade:
 * websocket` handed over: the header of each frame a segment completes (`websocket_frame`). A
 * segment that completes none is part of one.
 *
 * Only headers are kept: the payload of a frame in progress is counted, not stored, so a frame
 * announcing 2^63 bytes costs nothing (RFC 6455 §5.2).
 */

/** The longest frame header: 2 bytes, a 64-bit length, a 4-byte mask. */
const MAX_HEADER = 14;

/** One direction: the start of a header not yet complete, or the rest of a frame's payload. */
interface Direction {
  header: Uint8Array;
  /** Payload bytes of the current frame still to come, and its header's event for when they have. */
  remaining: number;
  frame: WebSocketFrame | null;
}

export class WebSocketConversation {
  readonly #dirs: [Direction, Direction] = [newDirection(), newDirection()];

  /** In-order payload of one segment sent in direction `dir`; its events go to `out`. */
  onSegment(dir: 0 | 1, b: Uint8Array, out: ProtocolEvent[]): Reading {
    if (b.length === 0) return null;
    const d = this.#dirs[dir];
    const before = out.length;
    let pos = 0;
    if (d.remaining > 0) {
      const take = Math.min(d.remaining, b.length);
      d.remaining -= take;
      pos = take;
      if (d.remaining === 0 && d.frame !== null) out.push(d.frame);
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
      if (take === head.payload) out.push(head.frame);
      else {
        d.remaining = head.payload - take;
        d.frame = head.frame;
      }
    }
    return out.length > before ? PDUS : PART;
  }
}

const EMPTY = new Uint8Array(0);

function newDirection(): Direction {
  return { header: EMPTY, remaining: 0, frame: null };
}

/** A frame's header: its length, its payload's length and its event; null when incomplete. */
function frameHeader(b: Uint8Array): { length: number; payload: number; frame: WebSocketFrame } | null {
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
  const frame: WebSocketFrame = { kind: 'websocket_frame', opcode: first & 0x0f, fin: (first & 0x80) !== 0, masked };
  return { length, payload, frame };
}
