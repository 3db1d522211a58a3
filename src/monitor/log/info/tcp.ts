import { u32 } from '../../decode/bytes.js';
import { optionLength, TCP_OPTION } from '../../decode/tcp.js';
import type { PacketLine } from '../../evidence/packetRecord.js';
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

/** What a TCP Info text shows: a packet's header fields and tshark's numbers for them. */
export type TcpInfoFacts = Pick<
  PacketLine,
  'src_p' | 'dst_p' | 'flags' | 'seq' | 'ack' | 'win' | 'urg' | 'tcp_len' | 'options' | 'sack_base'
>;

/**
 * tshark's TCP Info text, `1817 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 …`,
 * written straight into `out`'s bytes.
 */
export function writeTcpInfo(out: LineBuffer, r: TcpInfoFacts): void {
  out.number(r.src_p);
  out.arrow();
  out.number(r.dst_p);
  out.text(' [');
  out.text(flagText(r.flags));
  out.text('] Seq=');
  out.number(r.seq);
  if (r.flags & 0x10) {
    out.text(' Ack=');
    out.number(r.ack);
  }
  out.text(' Win=');
  out.number(r.win);
  if (r.flags & 0x20) {
    out.text(' Urg=');
    out.number(r.urg);
  }
  out.text(' Len=');
  out.number(r.tcp_len);
  const b = r.options;
  const end = b.length;
  for (let p = 0; p < end; ) {
    const len = optionLength(b, p, end);
    if (len === 0) break;
    if (len > 1) writeOption(out, b, p, len, r.sack_base);
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
