/**
 * TLS as tshark's dissector reads it: record boundaries across segments, the records each
 * segment completes (`tls_record`: content type, handshake messages, alerts) with the version
 * the column shows (`TLSv1.2`, `TLSv1.3`: negotiated, or the first record's), and the server
 * name a Client Hello asks for (`ssl_client_hello`).
 */
import type { ProtocolEvent } from './events.js';
import { PART, PART_BEGUN, PDUS, type Reading } from './reading.js';

/** TCP ports tshark 4.0 gives to its TLS dissector (`tshark -G decodes`). */
export const TLS_PORTS: ReadonlySet<number> = new Set([
  261, 324, 443, 465, 563, 585, 636, 802, 853, 989, 990, 992, 993, 994, 995, 1300, 2221, 2443, 3249, 3250, 3251, 3252,
  3496, 5061, 5671, 5684, 5868, 8883, 11207, 19999, 27017,
]);

const VERSIONS: Readonly<Record<number, string>> = {
  768: 'SSLv3',
  769: 'TLSv1',
  770: 'TLSv1.1',
  771: 'TLSv1.2',
  772: 'TLSv1.3',
};

/** Handshake message types by tshark's names; a type not here ends the reading of a record. */
export const HANDSHAKES: Readonly<Record<number, string>> = {
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

export const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: 'Warning', 2: 'Fatal' };
export const ALERTS: Readonly<Record<number, string>> = {
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

export class TlsConversation {
  readonly #dirs: [Direction, Direction] = [newDirection(), newDirection()];
  /** The negotiated version, once a Server Hello told it. */
  #version: string | null = null;

  /** In-order payload of a segment sent in direction `dir`; its events go to `out`. */
  onSegment(dir: 0 | 1, b: Uint8Array, out: ProtocolEvent[]): Reading {
    if (b.length === 0) return null;
    const d = this.#dirs[dir];
    const before = out.length;
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
      this.#record(d, firstVersion, out);
      d.partial = [];
      d.needed = 0;
      d.seen = 0;
    }
    if (out.length > before) return PDUS;
    return startedMidRecord ? PART : PART_BEGUN;
  }

  /** A complete record: its event, with the version the column shows once it is read. */
  #record(d: Direction, firstVersion: number, out: ProtocolEvent[]): void {
    const r = d.partial;
    const contentType = r[0] as number;
    const body = r.slice(5);
    const encrypted = d.encrypted;
    let handshakes: number[] = [];
    let alert: readonly [number, number] | null = null;
    if (contentType === 20) d.encrypted = true;
    else if (contentType === 21 && !encrypted && body.length === 2) alert = [body[0] as number, body[1] as number];
    else if (contentType === 22 && !encrypted) handshakes = this.#handshakes(body, out);
    const version = this.#version ?? VERSIONS[firstVersion] ?? 'TLS';
    out.push({ kind: 'tls_record', contentType, handshakes, alert, encrypted, version });
  }

  /** The handshake messages of a record, up to the first of a type tshark does not name. */
  #handshakes(body: number[], out: ProtocolEvent[]): number[] {
    const types: number[] = [];
    let p = 0;
    while (p + 4 <= body.length) {
      const type = body[p] as number;
      const len = ((body[p + 1] as number) << 16) | ((body[p + 2] as number) << 8) | (body[p + 3] as number);
      if (HANDSHAKES[type] === undefined) break;
      types.push(type);
      if (type === 1) out.push({ kind: 'ssl_client_hello', serverName: serverName(body, p + 4, p + 4 + len) });
      if (type === 2) this.#version = serverHelloVersion(body.slice(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return types;
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

/**
 * A Client Hello's server_name (RFC 6066 §3): its first host name, or null. `at`..`end` is the
 * message body as kept (a hello cut by the kept bound names no server).
 */
function serverName(h: number[], at: number, end: number): string | null {
  const stop = Math.min(end, h.length);
  const u16 = (i: number): number => ((h[i] as number) << 8) | (h[i + 1] as number);
  // version (2), random (32), then the session id, cipher suites and compression methods.
  let p = at + 34;
  if (p >= stop) return null;
  p += 1 + (h[p] as number);
  if (p + 2 > stop) return null;
  p += 2 + u16(p);
  if (p >= stop) return null;
  p += 1 + (h[p] as number);
  if (p + 2 > stop) return null;
  const extensionsEnd = Math.min(stop, p + 2 + u16(p));
  p += 2;
  while (p + 4 <= extensionsEnd) {
    const type = u16(p);
    const length = u16(p + 2);
    if (type === 0 && p + 4 + length <= extensionsEnd && length >= 5) {
      // server_name_list: length (2), then entries of type (1: 0 = host_name), length (2), name.
      const nameLength = u16(p + 7);
      if (h[p + 6] !== 0 || p + 9 + nameLength > extensionsEnd) return null;
      return String.fromCharCode(...h.slice(p + 9, p + 9 + nameLength));
    }
    p += 4 + length;
  }
  return null;
}
