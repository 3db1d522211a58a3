import { ipv6Text } from '../../decode/address.js';
import { u16 } from '../../decode/bytes.js';
import { DNS_TYPES } from '../../protocols/dns.js';
import { type LineBuffer, putAscii, putDecimal } from '../lineBuffer.js';

const DNS_OPCODES = [
  'Standard query',
  'Inverse query',
  'Server status request',
  'Unknown operation (3)',
  'Zone change notification',
  'Dynamic update',
];
const DNS_RCODES = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];

/** Questions, and records, shown at most (../../decode/dns.ts reads no more either). */
const MAX_RECORDS = 64;
/** Compression pointers and labels followed in one name, at most: a loop ends. */
const MAX_STEPS = 128;
/** What an element of the summary writes besides its name: type, class marks, numbers (an MX's, an SRV's). */
const ELEMENT_BYTES = 64;
const HEX = '0123456789abcdef';

/**
 * tshark's DNS summary, `Standard query 0x1a2b A www.example.com`, written straight from the
 * message's bytes into the line — what ../../decode/dns.ts decodes and a summary of it would
 * show, the same cut-offs, without a message, a name or a piece of text made on the way. With
 * `mdns`, the summary of multicast DNS, which marks each question `"QM"` or `"QU"` (unicast
 * response wanted) and each record whose class has the cache-flush bit. The message is at least
 * 12 bytes (a shorter one is no DNS).
 */
export function writeDnsInfo(out: LineBuffer, m: Uint8Array, mdns: boolean): void {
  const flags = u16(m, 2);
  const opcode = (flags >> 11) & 0x0f;
  const rcode = flags & 0x0f;
  const response = (flags & 0x8000) !== 0;
  out.text(DNS_OPCODES[opcode] ?? `Unknown operation (${opcode})`);
  const b = out.reserve(ELEMENT_BYTES);
  let at = response ? putAscii(b, out.length, ' response 0x') : putAscii(b, out.length, ' 0x');
  const id = u16(m, 0);
  for (let shift = 12; shift >= 0; shift -= 4) b[at++] = HEX.charCodeAt((id >> shift) & 0x0f);
  out.advance(at);
  if (response && rcode !== 0) {
    out.byte(0x20);
    out.text(DNS_RCODES[rcode] ?? `Unknown error (${rcode})`);
  }
  let pos = 12;
  const questions = u16(m, 4);
  for (let i = 0; i < questions && i < MAX_RECORDS; i++) {
    const end = nameEnd(m, pos);
    if (end < 0 || end + 4 > m.length) break;
    const type = u16(m, end);
    out.byte(0x20);
    out.text(dnsType(type));
    out.byte(0x20);
    writeName(out, m, pos);
    if (mdns) out.text((u16(m, end + 2) & 0x8000) !== 0 ? ', "QU" question' : ', "QM" question');
    pos = end + 4;
  }
  const records = u16(m, 6) + u16(m, 8) + u16(m, 10);
  for (let i = 0; i < records && i < MAX_RECORDS; i++) {
    const end = nameEnd(m, pos);
    if (end < 0 || end + 10 > m.length) break;
    const rd = end + 10;
    const rdLength = u16(m, end + 8);
    if (rd + rdLength > m.length) break;
    const type = u16(m, end);
    out.byte(0x20);
    out.text(dnsType(type));
    if (mdns && (u16(m, end + 2) & 0x8000) !== 0) out.text(', cache flush');
    writeRecordData(out, m, type, rd, rdLength);
    pos = rd + rdLength;
  }
}

function dnsType(t: number): string {
  return DNS_TYPES[t] ?? `Unknown (${t})`;
}

/** A record's data as the summary shows it, after a blank (nothing for a type it shows none of, or an address of the wrong size). */
function writeRecordData(out: LineBuffer, m: Uint8Array, type: number, at: number, length: number): void {
  switch (type) {
    case 1: {
      if (length !== 4) return;
      const b = out.reserve(ELEMENT_BYTES);
      let p = out.length;
      for (let i = 0; i < 4; i++) {
        b[p++] = i === 0 ? 0x20 : 0x2e;
        p = putDecimal(b, p, m[at + i] as number);
      }
      out.advance(p);
      return;
    }
    case 28:
      if (length !== 16) return;
      out.byte(0x20);
      out.text(ipv6Text(m, at));
      return;
    case 2:
    case 5:
    case 6:
    case 12:
      if (nameEnd(m, at) < 0) return;
      out.byte(0x20);
      writeName(out, m, at);
      return;
    case 15:
      writeNumbers(out, m, at, 1);
      if (nameEnd(m, at + 2) >= 0) writeName(out, m, at + 2);
      return;
    case 33:
      writeNumbers(out, m, at, 3);
      if (nameEnd(m, at + 6) >= 0) writeName(out, m, at + 6);
      return;
    default:
      return;
  }
}

/** ` n1 … nk ` : `count` 16-bit numbers from `at` (a byte past the message's end reads as 0). */
function writeNumbers(out: LineBuffer, m: Uint8Array, at: number, count: number): void {
  const b = out.reserve(ELEMENT_BYTES);
  let p = out.length;
  for (let i = 0; i < count; i++) {
    b[p++] = 0x20;
    p = putDecimal(b, p, (((m[at + 2 * i] ?? 0) << 8) | (m[at + 2 * i + 1] ?? 0)) & 0xffff);
  }
  b[p++] = 0x20;
  out.advance(p);
}

/**
 * Where the (possibly compressed) name at `start` ends in the message — after its last label,
 * or after its first compression pointer — or -1 when it cannot be read: it runs past the
 * message, or takes more than MAX_STEPS labels and pointers (a loop).
 */
function nameEnd(m: Uint8Array, start: number): number {
  let pos = start;
  let end = -1;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    if (pos >= m.length) return -1;
    const len = m[pos] as number;
    if (len === 0) return end < 0 ? pos + 1 : end;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= m.length) return -1;
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | (m[pos + 1] as number);
      continue;
    }
    if (pos + 1 + len > m.length) return -1;
    pos += 1 + len;
  }
  return -1;
}

/**
 * A name `nameEnd` found readable, as tshark shows it: labels joined by dots (`<Root>` for
 * none), printable ASCII as it is, any other byte as a backslash and three octal digits.
 */
function writeName(out: LineBuffer, m: Uint8Array, start: number): void {
  let pos = start;
  let first = true;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const len = m[pos] as number;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | (m[pos + 1] as number);
      continue;
    }
    // A label's bytes take at most four each (an octal escape), after its dot.
    const b = out.reserve(1 + 4 * len);
    let p = out.length;
    if (!first) b[p++] = 0x2e;
    first = false;
    for (let i = pos + 1; i <= pos + len; i++) {
      const c = m[i] as number;
      if (c > 0x20 && c < 0x7f) b[p++] = c;
      else {
        b[p++] = 0x5c;
        b[p++] = 0x30 + (c >> 6);
        b[p++] = 0x30 + ((c >> 3) & 7);
        b[p++] = 0x30 + (c & 7);
      }
    }
    out.advance(p);
    pos += 1 + len;
  }
  if (first) out.text('<Root>');
}
