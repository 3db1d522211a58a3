import { u32 } from '../../decode/bytes.js';
import { optionLength, TCP_OPTION, type TcpHeader } from '../../decode/tcp.js';
import type { LineBuffer } from '../lineBuffer.js';

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
 * tshark's TCP Info text, `1817 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 …`,
 * written straight into `out`'s bytes; `b` is the frame, `reverseBase` the base sequence number
 * of the reverse direction, for SACK edges.
 */
export function writeTcpInfo(out: LineBuffer, b: Uint8Array, tcp: TcpHeader, n: TcpNumbers, reverseBase: number): void {
  out.number(tcp.sourcePort);
  out.arrow();
  out.number(tcp.destinationPort);
  out.text(' [');
  out.text(flagText(tcp.flags));
  out.text('] Seq=');
  out.number(n.relSeq);
  if (tcp.flags & 0x10) {
    out.text(' Ack=');
    out.number(n.relAck);
  }
  out.text(' Win=');
  out.number(n.window);
  if (tcp.flags & 0x20) {
    out.text(' Urg=');
    out.number(tcp.urgent);
  }
  out.text(' Len=');
  out.number(tcp.payloadLength);
  const end = tcp.optionsEnd;
  for (let p = tcp.optionsOffset; p < end; ) {
    const len = optionLength(b, p, end);
    if (len === 0) break;
    if (len > 1) writeOption(out, b, p, len, reverseBase);
    p += len;
  }
}

/** What tshark's Info column shows of one option (nothing for the options it does not name). */
function writeOption(out: LineBuffer, b: Uint8Array, p: number, len: number, reverseBase: number): void {
  switch (b[p]) {
    case TCP_OPTION.MSS:
      if (len !== 4) return;
      out.text(' MSS=');
      out.number(((b[p + 2] as number) << 8) | (b[p + 3] as number));
      return;
    case TCP_OPTION.WS:
      if (len !== 3) return;
      out.text(' WS=');
      out.number(2 ** Math.min(b[p + 2] as number, 14));
      return;
    case TCP_OPTION.SACK_PERM:
      if (len === 2) out.text(' SACK_PERM');
      return;
    case TCP_OPTION.TS:
      if (len !== 10) return;
      out.text(' TSval=');
      out.number(u32(b, p + 2));
      out.text(' TSecr=');
      out.number(u32(b, p + 6));
      return;
    case TCP_OPTION.SACK:
      if ((len - 2) % 8 !== 0) return;
      // SACK edges relative to the reverse direction's base sequence number.
      for (let q = p + 2; q + 8 <= p + len; q += 8) {
        out.text(' SLE=');
        out.number((u32(b, q) - reverseBase) >>> 0);
        out.text(' SRE=');
        out.number((u32(b, q + 4) - reverseBase) >>> 0);
      }
      return;
    default:
      return;
  }
}
