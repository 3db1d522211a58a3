import { u32 } from '../../decode/bytes.js';
import { optionLength, TCP_OPTION } from '../../decode/tcp.js';
import type { PacketLine } from '../../evidence/packetRecord.js';
import { type LineBuffer, putArrow, putBytes, putDecimal, putNumber, textBytes } from '../lineBuffer.js';

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'] as const;

/** `[SYN, ACK]`-style flag list in tshark's bit order; `<None>` when no flag is set. */
export function flagText(flags: number): string {
  const i = flags & 0x1ff;
  let text = FLAG_TEXTS[i];
  if (text === undefined) {
    text = composeFlagText(i);
    FLAG_TEXTS[i] = text;
  }
  return text;
}

function composeFlagText(flags: number): string {
  let s = '';
  for (let i = 0; i < FLAG_NAMES.length; i++) {
    if ((flags & (1 << i)) === 0) continue;
    s += s === '' ? FLAG_NAMES[i] : `, ${FLAG_NAMES[i]}`;
  }
  return s === '' ? '<None>' : s;
}

/**
 * flagText for each of the 512 flag combinations, each worked out at its first use: all of them
 * at load cost a command's start a millisecond or more (a capture sees a handful).
 */
const FLAG_TEXTS: Array<string | undefined> = new Array(512).fill(undefined);

/** What a TCP Info text shows: a packet's header fields and tshark's numbers for them. */
export type TcpInfoFacts = Pick<
  PacketLine,
  'src_p' | 'dst_p' | 'flags' | 'seq' | 'ack' | 'win' | 'urg' | 'tcp_len' | 'options' | 'sack_base'
>;

/** A TCP Info text's most but its options: ports, flags and numbers (under 200 bytes). */
const INFO_BYTES = 256;
/** An option byte's most in the text: a SACK block's 8 bytes become ` SLE=… SRE=…`, at most 30. */
const BYTES_PER_OPTION_BYTE = 4;

/** ` [SYN, ACK] Seq=` for each of the 512 flag combinations, as bytes, each made at its first use. */
const FLAGS_AND_SEQ: Array<Uint8Array | undefined> = new Array(512).fill(undefined);

function flagsAndSeq(flags: number): Uint8Array {
  const i = flags & 0x1ff;
  let bytes = FLAGS_AND_SEQ[i];
  if (bytes === undefined) {
    bytes = textBytes(` [${flagText(i)}] Seq=`);
    FLAGS_AND_SEQ[i] = bytes;
  }
  return bytes;
}

const ACK = textBytes(' Ack=');
const WIN = textBytes(' Win=');
const URG = textBytes(' Urg=');
const LEN = textBytes(' Len=');
const MSS = textBytes(' MSS=');
const WS = textBytes(' WS=');
const SACK_PERM = textBytes(' SACK_PERM');
const TSVAL = textBytes(' TSval=');
const TSECR = textBytes(' TSecr=');
const SLE = textBytes(' SLE=');
const SRE = textBytes(' SRE=');

/**
 * tshark's TCP Info text, `1817 → 80 [SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 …`,
 * written straight into `out`'s bytes, in one reserved span.
 */
export function writeTcpInfo(out: LineBuffer, r: TcpInfoFacts): void {
  const o = r.options;
  const b = out.reserve(INFO_BYTES + BYTES_PER_OPTION_BYTE * o.length);
  let at = putNumber(b, out.length, r.src_p);
  at = putArrow(b, at);
  at = putNumber(b, at, r.dst_p);
  at = putBytes(b, at, flagsAndSeq(r.flags));
  at = putNumber(b, at, r.seq);
  if (r.flags & 0x10) at = putNumber(b, putBytes(b, at, ACK), r.ack);
  at = putNumber(b, putBytes(b, at, WIN), r.win);
  if (r.flags & 0x20) at = putNumber(b, putBytes(b, at, URG), r.urg);
  at = putNumber(b, putBytes(b, at, LEN), r.tcp_len);
  const end = o.length;
  for (let p = 0; p < end; ) {
    const len = optionLength(o, p, end);
    if (len === 0) break;
    if (len > 1) at = putOption(b, at, o, p, len, r.sack_base);
    p += len;
  }
  out.advance(at);
}

/** What tshark's Info column shows of one option (nothing for the options it does not name); returns the end. */
function putOption(b: Uint8Array, at: number, o: Uint8Array, p: number, len: number, reverseBase: number): number {
  switch (o[p]) {
    case TCP_OPTION.MSS:
      if (len !== 4) return at;
      return putDecimal(b, putBytes(b, at, MSS), ((o[p + 2] as number) << 8) | (o[p + 3] as number));
    case TCP_OPTION.WS:
      if (len !== 3) return at;
      // A shift, not `2 **` a variable, which is a call of Math.pow on every SYN.
      return putDecimal(b, putBytes(b, at, WS), 1 << Math.min(o[p + 2] as number, 14));
    case TCP_OPTION.SACK_PERM:
      return len === 2 ? putBytes(b, at, SACK_PERM) : at;
    case TCP_OPTION.TS:
      if (len !== 10) return at;
      at = putDecimal(b, putBytes(b, at, TSVAL), u32(o, p + 2));
      return putDecimal(b, putBytes(b, at, TSECR), u32(o, p + 6));
    case TCP_OPTION.SACK:
      if ((len - 2) % 8 !== 0) return at;
      // SACK edges relative to the reverse direction's base sequence number.
      for (let q = p + 2; q + 8 <= p + len; q += 8) {
        at = putDecimal(b, putBytes(b, at, SLE), (u32(o, q) - reverseBase) >>> 0);
        at = putDecimal(b, putBytes(b, at, SRE), (u32(o, q + 4) - reverseBase) >>> 0);
      }
      return at;
    default:
      return at;
  }
}
