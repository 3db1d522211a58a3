import { u32 } from '../../decode/bytes.js';
import { optionLength, TCP_OPTION, type TcpHeader } from '../../decode/tcp.js';

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

/** `[SYN, ACK]`-style flag list in tshark's bit order; `<None>` when no flag is set. */
export function flagText(flags: number): string {
  return FLAG_TEXTS[flags & 0x1ff] as string;
}

function composeFlagText(flags: number): string {
  let s = '';
  for (let i = 0; i < FLAG_NAMES.length; i++) {
    if ((flags & (1 << i)) === 0) continue;
    s += s === '' ? FLAG_NAMES[i] : `, ${FLAG_NAMES[i]}`;
  }
  return s === '' ? '<None>' : s;
}

/** flagText for each of the 512 flag combinations, worked out once. */
const FLAG_TEXTS: readonly string[] = Array.from({ length: 512 }, (_, i) => composeFlagText(i));

/** The analysed numbers a TCP Info text shows (a SegmentAnalysis has them). */
export interface TcpNumbers {
  readonly relSeq: number;
  readonly relAck: number;
  readonly window: number;
}

/**
 * tshark's TCP Info text: `1817 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 …`; `b` is
 * the frame, `reverseBase` the base sequence number of the reverse direction, for SACK edges.
 */
export function tcpInfo(b: Uint8Array, tcp: TcpHeader, n: TcpNumbers, reverseBase: number): string {
  let s = `${tcp.sourcePort} → ${tcp.destinationPort} [${flagText(tcp.flags)}] Seq=${n.relSeq}`;
  if (tcp.flags & 0x10) s += ` Ack=${n.relAck}`;
  s += ` Win=${n.window}`;
  if (tcp.flags & 0x20) s += ` Urg=${tcp.urgent}`;
  s += ` Len=${tcp.payloadLength}`;
  const end = tcp.optionsEnd;
  for (let p = tcp.optionsOffset; p < end; ) {
    const len = optionLength(b, p, end);
    if (len === 0) break;
    if (len > 1) s += optionText(b, p, len, reverseBase);
    p += len;
  }
  return s;
}

/** What tshark's Info column shows of one option (nothing for the options it does not name). */
function optionText(b: Uint8Array, p: number, len: number, reverseBase: number): string {
  switch (b[p]) {
    case TCP_OPTION.MSS:
      return len === 4 ? ` MSS=${((b[p + 2] as number) << 8) | (b[p + 3] as number)}` : '';
    case TCP_OPTION.WS:
      return len === 3 ? ` WS=${2 ** Math.min(b[p + 2] as number, 14)}` : '';
    case TCP_OPTION.SACK_PERM:
      return len === 2 ? ' SACK_PERM' : '';
    case TCP_OPTION.TS:
      return len === 10 ? ` TSval=${u32(b, p + 2)} TSecr=${u32(b, p + 6)}` : '';
    case TCP_OPTION.SACK:
      return (len - 2) % 8 === 0 ? sackText(b, p, len, reverseBase) : '';
    default:
      return '';
  }
}

/** SACK edges relative to the reverse direction's base sequence number. */
function sackText(b: Uint8Array, p: number, len: number, reverseBase: number): string {
  let s = '';
  for (let q = p + 2; q + 8 <= p + len; q += 8) {
    s += ` SLE=${(u32(b, q) - reverseBase) >>> 0} SRE=${(u32(b, q + 4) - reverseBase) >>> 0}`;
  }
  return s;
}
