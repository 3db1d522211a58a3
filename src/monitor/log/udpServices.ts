import { macText } from '../decode/address.js';
import { u32 } from '../decode/tcp.js';
import { formatText, messageStart } from './httpStart.js';
import type { Columns } from './otherInfo.js';

/**
 * The UDP services every network hums with, as tshark summarises them: NTP, DHCP/BOOTP and
 * SSDP (DNS, mDNS and LLMNR are DNS's summary, see otherInfo.ts). A live capture without a
 * filter is full of them. Null when `payload` is not what its port says.
 */

const NTP_MODES = [
  'reserved',
  'symmetric active',
  'symmetric passive',
  'client',
  'server',
  'broadcast',
  'control',
  'private',
];

/** ntpd's mode 7 request codes (ntp_request.h); 42, MON_GETLIST_1, is the monlist of amplification attacks. */
const NTP_PRIVATE_REQUESTS = [
  'PEER_LIST',
  'PEER_LIST_SUM',
  'PEER_INFO',
  'PEER_STATS',
  'SYS_INFO',
  'SYS_STATS',
  'IO_STATS',
  'MEM_STATS',
  'LOOP_INFO',
  'TIMER_STATS',
  'CONFIG',
  'UNCONFIG',
  'SET_SYS_FLAG',
  'CLR_SYS_FLAG',
  'MONITOR',
  'NOMONITOR',
  'GET_RESTRICT',
  'RESADDFLAGS',
  'RESSUBFLAGS',
  'UNRESTRICT',
  'MON_GETLIST',
  'RESET_STATS',
  'RESET_PEER',
  'REREAD_KEYS',
  'DO_DIRTY_HACK',
  'DONT_DIRTY_HACK',
  'TRUSTKEY',
  'UNTRUSTKEY',
  'AUTHINFO',
  'TRAPS',
  'ADD_TRAP',
  'CLR_TRAP',
  'REQUEST_KEY',
  'CONTROL_KEY',
  'GET_CTLSTATS',
  'GET_LEAPINFO',
  'GET_CLOCKINFO',
  'SET_CLKFUDGE',
  'GET_KERNEL',
  'GET_CLKBUGINFO',
  'Unknown',
  'SET_PRECISION',
  'MON_GETLIST_1',
  'HOSTNAME_ASSOCID',
  'IF_STATS',
  'IF_RELOAD',
];

/** `NTP Version 4, client`; a private (mode 7) message adds its direction and request code. */
export function ntpColumns(payload: Uint8Array): Columns | null {
  if (payload.length === 0) return null;
  const first = payload[0] as number;
  const mode = first & 0x07;
  let info = `NTP Version ${(first >> 3) & 0x07}, ${NTP_MODES[mode]}`;
  if (mode === 7 && payload.length >= 4) {
    const request = NTP_PRIVATE_REQUESTS[payload[3] as number] ?? 'Unknown';
    info += `, ${(first & 0x80) !== 0 ? 'Response' : 'Request'}, ${request}`;
  }
  const malformed = mode === 7 ? privateTooShort(payload) : mode >= 1 && mode <= 5 && payload.length < 48;
  return { protocol: 'NTP', info: malformed ? `${info}[Malformed Packet]` : info };
}

/**
 * A mode 7 message is an 8-byte header, then `nitems` items of `itemsize` bytes, then (with the
 * authenticated bit) a key ID and a 16-byte MAC: shorter than that, tshark's dissector runs out.
 */
function privateTooShort(b: Uint8Array): boolean {
  if (b.length < 8) return true;
  const items =
    ((((b[4] as number) & 0x0f) << 8) | (b[5] as number)) * ((((b[6] as number) & 0x0f) << 8) | (b[7] as number));
  const auth = ((b[1] as number) & 0x80) !== 0 ? 20 : 0;
  return b.length < 8 + items + auth;
}

const DHCP_TYPES = ['', 'Discover', 'Offer', 'Request', 'Decline', 'ACK', 'NAK', 'Release', 'Inform'];
const BOOTP_COOKIE = 0x63825363;
/** op, htype, hlen, hops, xid, secs, flags, 4 addresses, chaddr (16), sname (64), file (128). */
const BOOTP_FIXED = 236;

/** `DHCP Discover - Transaction ID 0x3903f326`, or BOOTP's `Boot Request from …` without option 53. */
export function dhcpColumns(payload: Uint8Array, macName: (mac: string) => string): Columns {
  const op = payload[0] ?? 0;
  if (op !== 1 && op !== 2) {
    return {
      protocol: 'BOOTP',
      info: `Unknown BOOTP message type (${op})${payload.length < BOOTP_FIXED ? MALFORMED : ''}`,
    };
  }
  if (payload.length < BOOTP_FIXED) return { protocol: 'BOOTP', info: `${bootInfo(payload, op, macName)}${MALFORMED}` };
  const type = messageType(payload);
  if (type === null) return { protocol: 'BOOTP', info: bootInfo(payload, op, macName) };
  const xid = u32(payload, 4).toString(16).padStart(8, '0');
  const name = (DHCP_TYPES[type] ?? `Unknown Message Type (0x${type.toString(16).padStart(2, '0')})`).padEnd(8);
  return { protocol: 'DHCP', info: `DHCP ${name} - Transaction ID 0x${xid}` };
}

const MALFORMED = '[Malformed Packet]';

function bootInfo(payload: Uint8Array, op: number, macName: (mac: string) => string): string {
  if (op === 2) return 'Boot Reply';
  if (payload.length < 34) return 'Boot Request';
  const mac = macText(payload, 28);
  return `Boot Request from ${mac} (${macName(mac)})`;
}

/** Option 53 after the magic cookie, or null. */
function messageType(b: Uint8Array): number | null {
  if (b.length < BOOTP_FIXED + 4 || u32(b, BOOTP_FIXED) !== BOOTP_COOKIE) return null;
  for (let at = BOOTP_FIXED + 4; at < b.length; ) {
    const code = b[at] as number;
    if (code === 255) return null;
    if (code === 0) {
      at++;
      continue;
    }
    const length = b[at + 1];
    if (length === undefined || at + 2 + length > b.length) return null;
    if (code === 53 && length >= 1) return b[at + 2] as number;
    at += 2 + length;
  }
  return null;
}

/** SSDP is HTTP over UDP: `M-SEARCH * HTTP/1.1 `, `NOTIFY * HTTP/1.1 `, `HTTP/1.1 200 OK `. */
export function ssdpColumns(payload: Uint8Array): Columns | null {
  if (messageStart(payload, 0) === null) return null;
  let end = payload.indexOf(0x0a);
  if (end < 0) return null;
  if (end > 0 && payload[end - 1] === 0x0d) end--;
  return { protocol: 'SSDP', info: `${formatText(payload, 0, end)} ` };
}

const NBNS_OPCODES: Readonly<Record<number, string>> = {
  0: 'Name query',
  5: 'Registration',
  6: 'Release',
  7: 'Wait for acknowledgment',
  8: 'Refresh',
  9: 'Refresh (alternate opcode)',
  15: 'Multi-homed registration',
};
const NBNS_RCODES = [
  '',
  'Format error',
  'Server failure',
  'Requested name does not exist',
  'Request is not implemented',
  'Request was refused',
  'Active error',
  'Name in conflict',
];
const NBNS_TYPES: Readonly<Record<number, string>> = { 32: 'NB', 33: 'NBSTAT', 10: 'NULL', 1: 'A', 2: 'NS' };

/**
 * NetBIOS name service (Windows networks' broadcast name lookups): `Name query NB WPAD<00>`,
 * `Name query response NB 10.0.0.5`, `Registration NB HOST1<20>`.
 */
export function nbnsColumns(b: Uint8Array): Columns | null {
  if (b.length < 12) return null;
  const flags = ((b[2] as number) << 8) | (b[3] as number);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const rcode = flags & 0x0f;
  let info = NBNS_OPCODES[opcode] ?? `Unknown operation (${opcode})`;
  if (response) info += ' response';
  if (response && rcode !== 0) info += `, ${NBNS_RCODES[rcode] ?? `Unknown error (${rcode})`}`;
  const questions = ((b[4] as number) << 8) | (b[5] as number);
  const answers = ((b[6] as number) << 8) | (b[7] as number);
  let at = 12;
  for (let q = 0; q < questions && q < 16; q++) {
    const name = nbName(b, at);
    if (name === null || name.end + 4 > b.length) return { protocol: 'NBNS', info };
    info += ` ${nbType(b, name.end)} ${name.text}`;
    at = name.end + 4;
  }
  for (let a = 0; a < answers && a < 16; a++) {
    const name = nbName(b, at);
    if (name === null || name.end + 10 > b.length) break;
    const type = ((b[name.end] as number) << 8) | (b[name.end + 1] as number);
    const length = ((b[name.end + 8] as number) << 8) | (b[name.end + 9] as number);
    const data = name.end + 10;
    if (data + length > b.length) break;
    // An NB record is a 2-byte flags word and an IPv4 address per name owner.
    if (type === 0x20 && length < 6) return { protocol: 'NBNS', info: `${info}[Malformed Packet]` };
    info += type === 0x20 ? ` NB ${[...b.subarray(data + 2, data + 6)].join('.')}` : ` ${nbType(b, name.end)}`;
    at = data + length;
  }
  return { protocol: 'NBNS', info };
}

function nbType(b: Uint8Array, at: number): string {
  const type = ((b[at] as number) << 8) | (b[at + 1] as number);
  return NBNS_TYPES[type] ?? `Unknown (${type})`;
}

/**
 * A NetBIOS name (RFC 1001 first-level encoding: 32 letters for 16 bytes, then the scope's
 * labels): `WPAD<00>`, unprintable characters as `<xx>`, trailing spaces dropped.
 */
function nbName(b: Uint8Array, at: number): { text: string; end: number } | null {
  // A compression pointer (answers in some responses point back at the question).
  if (((b[at] ?? 0) & 0xc0) === 0xc0) {
    const target = (((b[at] as number) & 0x3f) << 8) | (b[at + 1] as number);
    const named = target < at ? nbName(b, target) : null;
    return named === null ? null : { text: named.text, end: at + 2 };
  }
  if (b[at] !== 32 || at + 33 > b.length) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) {
    const hi = (b[at + 1 + 2 * i] as number) - 65;
    const lo = (b[at + 2 + 2 * i] as number) - 65;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    bytes.push((hi << 4) | lo);
  }
  let name = '';
  for (const c of bytes.slice(0, 15))
    name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${c.toString(16).padStart(2, '0')}>`;
  name = name.trimEnd();
  let text = `${name}<${(bytes[15] as number).toString(16).padStart(2, '0')}>`;
  let end = at + 33;
  while (end < b.length && b[end] !== 0) {
    const length = b[end] as number;
    if (end + 1 + length > b.length) return null;
    text += `.${formatText(b, end + 1, end + 1 + length)}`;
    end += 1 + length;
  }
  return { text, end: end + 1 };
}
