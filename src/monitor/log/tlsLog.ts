/**
 * The TLS side of tshark's packet log: record boundaries across segments, the names of the
 * records each frame completes (`Client Hello`, `Server Hello, Change Cipher Spec`,
 * `Application Data`, …) and the protocol version column (`TLSv1.2`, `TLSv1.3`). Like the
 * HTTP side it sees in-order payload only.
 */

/** TCP ports tshark 4.0 gives to its TLS dissector (`tshark -G decodes`). */
export const TLS_PORTS = new Set([
  261, 324, 443, 465, 563, 585, 636, 802, 853, 989, 990, 992, 993, 994, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252,
  3496, 5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017,
]);

export type TlsSegmentSummary =
  | { readonly kind: 'records'; readonly protocol: string; readonly info: string }
  /** Part of a record: shown as TCP; `info` '' means the TCP text is dropped (a record's first segment). */
  | { readonly kind: 'segment'; readonly info: string | null };

const VERSIONS: Readonly<Record<number, string>> = {
  768: 'SSLv3',
  769: 'TLSv1',
  770: 'TLSv1.1',
  771: 'TLSv1.2',
  772: 'TLSv1.3',
};

const HANDSHAKES: Readonly<Record<number, string>> = {
  0: 'Hello Request',
  1: 'Client Hello',
  2: 'Server Hello',
  4: 'New Session Ticket',
  8: 'Encrypted Extensions',
  11: 'Certificate',
  12: 'Server Key Exchange',
  13: 'Certificate Request',
  14: 'Server Hello Done',
  15: 'Certificate Verify',
  16: 'Client Key Exchange',
  20: 'Finished',
};

const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: 'Warning', 2: 'Fatal' };
const ALERTS: Readonly<Record<number, string>> = {
  0: 'Close Notify',
  10: 'Unexpected Message',
  20: 'Bad Record MAC',
  40: 'Handshake Failure',
  42: 'Bad Certificate',
  46: 'Certificate Unknown',
  48: 'Unknown CA',
  50: 'Decode Error',
  51: 'Decrypt Error',
  70: 'Protocol Version',
  80: 'Internal Error',
  90: 'User Canceled',
  112: 'Unrecognized Name',
};

/** Bytes of a record kept while it spans segments (enough for any hello). */
const MAX_KEPT = 18 * 1024;

interface Direction {
  /** Bytes of the record in progress (header included), bounded. */
  partial: number[];
  /** Total length of the record in progress (5 + its length field), or 0 while the header is incomplete. */
  needed: number;
  /** Bytes of the record in progress seen so far. */
  seen: number;
  /** A ChangeCipherSpec was sent: later handshake records are encrypted. */
  encrypted: boolean;
}

/**
 * tshark's TLS heuristic on TCP (packet-tls.c, is_sslv3_or_tls), which names TLS on any port no
 * dissector claims: a handshake or application-data record of SSLv3, TLS 1.0–1.2 (1.3 sends
 * 1.0 here) or GM/T, with a sane length.
 */
export function tlsByHeuristic(b: Uint8Array): boolean {
  if (b.length < 5) return false;
  const type = b[0] as number;
  const version = ((b[1] as number) << 8) | (b[2] as number);
  const length = ((b[3] as number) << 8) | (b[4] as number);
  if (type !== 22 && type !== 23) return false;
  if (version !== 0x0300 && version !== 0x0301 && version !== 0x0302 && version !== 0x0303 && version !== 0x0101)
    return false;
  return length > 0 && length < 16384 + 2048;
}

/** Does the payload start like a TLS record (content type 20–24, version 3.x)? */
export function looksLikeTls(b: Uint8Array): boolean {
  return b.length >= 3 && (b[0] as number) >= 20 && (b[0] as number) <= 24 && b[1] === 3 && (b[2] as number) <= 4;
}

export class TlsLogConversation {
  readonly #dirs: [Direction, Direction] = [newDirection(), newDirection()];
  /** The negotiated version, once a Server Hello told it. */
  #version: string | null = null;

  onSegment(dir: 0 | 1, b: Uint8Array): TlsSegmentSummary | null {
    if (b.length === 0) return null;
    const d = this.#dirs[dir];
    const names: string[] = [];
    let firstVersion = 0;
    const startedMidRecord = d.seen > 0;
    let pos = 0;
    while (pos < b.length) {
      if (d.needed === 0 || d.seen < 5) {
        const take = Math.min(5 - d.seen, b.length - pos);
        for (let i = 0; i < take; i++) d.partial.push(b[pos + i] as number);
        d.seen += take;
        pos += take;
        if (d.seen < 5) break;
        d.needed = 5 + (((d.partial[3] as number) << 8) | (d.partial[4] as number));
        if (firstVersion === 0) firstVersion = ((d.partial[1] as number) << 8) | (d.partial[2] as number);
      }
      const take = Math.min(d.needed - d.seen, b.length - pos);
      for (let i = 0; i < take && d.partial.length < MAX_KEPT; i++) d.partial.push(b[pos + i] as number);
      d.seen += take;
      pos += take;
      if (d.seen < d.needed) break;
      names.push(...this.#recordNames(d));
      d.partial = [];
      d.needed = 0;
      d.seen = 0;
    }
    if (names.length === 0) return { kind: 'segment', info: startedMidRecord ? null : '' };
    const protocol = this.#version ?? VERSIONS[firstVersion] ?? 'TLS';
    return { kind: 'records', protocol, info: names.join(', ') };
  }

  #recordNames(d: Direction): string[] {
    const r = d.partial;
    const type = r[0] as number;
    const body = r.slice(5);
    switch (type) {
      case 20:
        d.encrypted = true;
        return ['Change Cipher Spec'];
      case 21:
        if (d.encrypted || body.length !== 2) return ['Encrypted Alert'];
        return [
          `Alert (Level: ${ALERT_LEVELS[body[0] as number] ?? 'Unknown'}, Description: ${ALERTS[body[1] as number] ?? 'Unknown'})`,
        ];
      case 22:
        return d.encrypted ? ['Encrypted Handshake Message'] : this.#handshakes(body);
      case 23:
        return ['Application Data'];
      case 24:
        return ['Heartbeat'];
      default:
        return ['Ignored Unknown Record'];
    }
  }

  #handshakes(body: number[]): string[] {
    const names: string[] = [];
    let p = 0;
    while (p + 4 <= body.length) {
      const type = body[p] as number;
      const len = ((body[p + 1] as number) << 16) | ((body[p + 2] as number) << 8) | (body[p + 3] as number);
      const name = HANDSHAKES[type];
      if (!name) return names.length > 0 ? names : ['Encrypted Handshake Message'];
      names.push(name);
      if (type === 2) this.#version = serverHelloVersion(body.slice(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return names.length > 0 ? names : ['Encrypted Handshake Message'];
  }
}

function newDirection(): Direction {
  return { partial: [], needed: 0, seen: 0, encrypted: false };
}

/** The version a Server Hello settles: its supported_versions extension, else its own field. */
function serverHelloVersion(h: number[]): string | null {
  if (h.length < 38) return null;
  const legacy = ((h[0] as number) << 8) | (h[1] as number);
  let p = 34;
  const sessionIdLength = h[p] as number;
  p += 1 + sessionIdLength + 2 + 1;
  if (p + 2 > h.length) return VERSIONS[legacy] ?? null;
  const extEnd = Math.min(h.length, p + 2 + (((h[p] as number) << 8) | (h[p + 1] as number)));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = ((h[p] as number) << 8) | (h[p + 1] as number);
    const len = ((h[p + 2] as number) << 8) | (h[p + 3] as number);
    if (type === 43 && len === 2) return VERSIONS[((h[p + 4] as number) << 8) | (h[p + 5] as number)] ?? null;
    p += 4 + len;
  }
  return VERSIONS[legacy] ?? null;
}
