import { macText } from '../../decode/address.js';
import { u32 } from '../../decode/bytes.js';
import type { Columns } from '../columns.js';

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
