import { type Ipv4Texts, ipv4Text, ipv6Text } from './address.js';
import { u16 } from './bytes.js';

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  /** The class field as sent; mDNS uses its top bit ("unicast response wanted"). */
  readonly class: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  /** The class field as sent; mDNS uses its top bit ("cache flush"). */
  readonly class: number;
  /** The record data as tshark's Info column shows it ('' when it shows none). */
  readonly data: string;
}

export interface DnsMessage {
  readonly id: number;
  readonly response: boolean;
  readonly opcode: number;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  /** Answer, authority and additional records, in that order. */
  readonly records: readonly DnsRecord[];
}

const MAX_RECORDS = 64;

/** Decode a DNS message (RFC 1035) with bounded name decompression; null when it is not DNS. */
export function decodeDns(b: Uint8Array): DnsMessage | null {
  if (b.length < 12) return null;
  const flags = u16(b, 2);
  const counts = [u16(b, 4), u16(b, 6), u16(b, 8), u16(b, 10)] as const;
  let pos = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0] && i < MAX_RECORDS; i++) {
    const name = readName(b, pos);
    if (!name || name.end + 4 > b.length) break;
    questions.push({ name: name.text, type: u16(b, name.end), class: u16(b, name.end + 2) });
    pos = name.end + 4;
  }
  const records: DnsRecord[] = [];
  const total = counts[1] + counts[2] + counts[3];
  for (let i = 0; i < total && i < MAX_RECORDS; i++) {
    const name = readName(b, pos);
    if (!name || name.end + 10 > b.length) break;
    const type = u16(b, name.end);
    const rdLength = u16(b, name.end + 8);
    const rd = name.end + 10;
    if (rd + rdLength > b.length) break;
    records.push({ name: name.text, type, class: u16(b, name.end + 2), data: recordData(b, type, rd, rdLength) });
    pos = rd + rdLength;
  }
  return {
    id: u16(b, 0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    rcode: flags & 0x0f,
    questions,
    records,
  };
}

function recordData(b: Uint8Array, type: number, at: number, length: number): string {
  switch (type) {
    case 1:
      return length === 4 ? ipv4Text(b, at) : '';
    case 28:
      return length === 16 ? ipv6Text(b, at) : '';
    case 2:
    case 5:
    case 12:
      return readName(b, at)?.text ?? '';
    case 6:
      return readName(b, at)?.text ?? '';
    case 15: {
      const pref = ((b[at] as number) << 8) | (b[at + 1] as number);
      return `${pref} ${readName(b, at + 2)?.text ?? ''}`;
    }
    case 33: {
      const u = (o: number): number => ((b[at + o] as number) << 8) | (b[at + o + 1] as number);
      return `${u(0)} ${u(2)} ${u(4)} ${readName(b, at + 6)?.text ?? ''}`;
    }
    default:
      return '';
  }
}

/** A possibly compressed domain name; at most 128 jumps, so loops end. */
function readName(b: Uint8Array, start: number): { text: string; end: number } | null {
  const labels: string[] = [];
  let pos = start;
  let end = -1;
  for (let jumps = 0; jumps < 128; jumps++) {
    if (pos >= b.length) return null;
    const len = b[pos] as number;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { text: labels.length === 0 ? '<Root>' : labels.join('.'), end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= b.length) return null;
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | (b[pos + 1] as number);
      continue;
    }
    if (pos + 1 + len > b.length) return null;
    labels.push(labelText(b, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return null;
}

/** A label as tshark shows it: printable ASCII as is (in one piece, the usual case), the rest as octal escapes. */
function labelText(b: Uint8Array, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c <= 0x20 || c >= 0x7f) return escapedLabel(b, from, to);
  }
  return String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
}

function escapedLabel(b: Uint8Array, from: number, to: number): string {
  let label = '';
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    label += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`;
  }
  return label;
}

/**
 * The addresses a DNS response's answer records give (A and AAAA), read without decoding the
 * rest: names are skipped, not spelt out. They are written to `out` from its start (a list its
 * caller refills message after message: entries past the count are stale), IPv4 ones through
 * `texts`, so that a recurring address is the same string each time. Answers their count, or
 * -1 when it is no response (or cannot be one).
 */
export function answerAddresses(b: Uint8Array, out: string[], texts: Ipv4Texts): number {
  if (b.length < 12 || ((b[2] as number) & 0x80) === 0) return -1;
  let pos = 12;
  for (let q = u16(b, 4); q > 0; q--) {
    pos = skipName(b, pos);
    if (pos < 0 || pos + 4 > b.length) return -1;
    pos += 4;
  }
  let count = 0;
  for (let a = Math.min(u16(b, 6), MAX_RECORDS); a > 0; a--) {
    pos = skipName(b, pos);
    if (pos < 0 || pos + 10 > b.length) break;
    const type = u16(b, pos);
    const length = u16(b, pos + 8);
    pos += 10;
    if (pos + length > b.length) break;
    if (type === 1 && length === 4) out[count++] = texts.text(b, pos);
    else if (type === 28 && length === 16) out[count++] = ipv6Text(b, pos);
    pos += length;
  }
  return count;
}

/** Where the name at `at` ends (after its last label or its compression pointer), or -1. */
function skipName(b: Uint8Array, at: number): number {
  let pos = at;
  while (pos < b.length) {
    const len = b[pos] as number;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2;
    pos += 1 + len;
  }
  return -1;
}
