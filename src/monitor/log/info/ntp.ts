/** NTP as tshark summarises it: version and mode, and for ntpd's private mode 7 its request. */

import type { Columns } from '../columns.js';

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
