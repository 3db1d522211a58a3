import { TCP_FLAGS } from '../decode/tcp.js';
import { seqAdd, seqGt, seqLe, seqLt } from './seq.js';

/**
 * tshark's TCP sequence analysis (packet-tcp.c, tcp_analyze_sequence_number): relative
 * sequence numbers, the calculated window, and what each segment is (a retransmission, out of
 * order, after a segment not captured, a duplicate ACK, …): the packet log shows the numbers
 * and notes (the analyzers read the reassembly, ./connection.ts). Numbers are absolute 32-bit
 * values; 0 means "not yet seen", exactly as tshark keeps them, so corner cases come out the same.
 */

export const ANALYSIS = {
  RETRANSMISSION: 1 << 0,
  LOST_PACKET: 1 << 1,
  ACK_LOST_PACKET: 1 << 2,
  KEEP_ALIVE: 1 << 3,
  DUPLICATE_ACK: 1 << 4,
  ZERO_WINDOW: 1 << 5,
  ZERO_WINDOW_PROBE: 1 << 6,
  ZERO_WINDOW_PROBE_ACK: 1 << 7,
  KEEP_ALIVE_ACK: 1 << 8,
  OUT_OF_ORDER: 1 << 9,
  FAST_RETRANSMISSION: 1 << 10,
  WINDOW_UPDATE: 1 << 11,
  WINDOW_FULL: 1 << 12,
  REUSED_PORTS: 1 << 13,
  SPURIOUS_RETRANSMISSION: 1 << 14,
} as const;

/** Window scale: a shift count, or unknown (no SYN seen) / none (scaling not in use). */
export const WS_UNKNOWN = -1;
export const WS_NONE = -2;

/**
 * The state of one TCP conversation (both directions): numbers in one array, which V8 keeps
 * unboxed as doubles. Ended conversations are remembered for their trailing packets (thousands
 * at a time, ./limits.ts maxEnded): as objects, each was ten of them (its flows, and a box per
 * field holding a time or a sequence number), copied by every scavenge that found it alive.
 * A flow's fields sit at its offset (0: the endpoint that sent the first packet seen; FLOW: its
 * peer) plus these.
 */
const BASE_SEQ = 0;
/** 1 once BASE_SEQ is known. */
const BASE_SET = 1;
const WIN_SCALE = 2;
const WINDOW = 3;
const NEXT_SEQ = 4;
/** Nanoseconds (relative to the capture start) when NEXT_SEQ last advanced. */
const NEXT_SEQ_TIME = 5;
const MAX_SEQ_TO_BE_ACKED = 6;
const LAST_ACK = 7;
const LAST_ACK_TIME = 8;
const DUP_ACK_NUM = 9;
const LAST_NON_DUP_ACK = 10;
const LAST_SEGMENT_FLAGS = 11;
const FLOW = 12;
/** The conversation's own fields, after its two flows. */
const SYN_TIME = 2 * FLOW;
const SYN_DIR = SYN_TIME + 1;
const FIRST_RTT = SYN_TIME + 2;

export type ConversationAnalysis = number[];

/**
 * A new conversation's state, copied from one whose elements are doubles already (made from a
 * fraction, then set): a copy keeps that kind, so storing a time later changes nothing.
 */
const FRESH: number[] = Array.from({ length: FIRST_RTT + 1 }, () => 0.5).fill(0);
FRESH[WIN_SCALE] = WS_UNKNOWN;
FRESH[FLOW + WIN_SCALE] = WS_UNKNOWN;
FRESH[SYN_TIME] = -1;

export function newConversationAnalysis(): ConversationAnalysis {
  return FRESH.slice();
}

/** The base sequence number of direction `dir` (0 until known). */
export function baseSeqOf(conv: ConversationAnalysis, dir: 0 | 1): number {
  return conv[dir * FLOW + BASE_SEQ] as number;
}

/** One segment's header fields, as the analysis reads them. */
export interface SegmentFacts {
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  /** The raw window field. */
  readonly window: number;
  /** TCP payload length per the IP header. */
  readonly length: number;
  /** WS shift from the options, or -1 when the segment carries none. */
  readonly wsShift: number;
  /** Frame number and time in ns since the capture start. */
  readonly frame: number;
  readonly time: number;
}

/** What the analysis finds of one segment; written into the caller's object (one per reader, not one per packet). */
export interface SegmentAnalysis {
  /** ANALYSIS bits. */
  flags: number;
  relSeq: number;
  relAck: number;
  /** The window as tshark shows it (scaled when the scale is known). */
  window: number;
  dupAckNum: number;
  dupAckFrame: number;
}

const SYN_FIN_RST = TCP_FLAGS.SYN | TCP_FLAGS.FIN | TCP_FLAGS.RST;

/** A SYN that starts over on a known 4-tuple: tshark opens a new conversation. */
export function isPortReuse(conv: ConversationAnalysis, dir: 0 | 1, flags: number, seq: number): boolean {
  const f = dir * FLOW;
  return (flags & TCP_FLAGS.SYN) !== 0 && conv[f + BASE_SET] === 1 && seq !== conv[f + BASE_SEQ];
}

/** The base sequence numbers, from the first segment each way (or the other side's ACK); `f`, `r`: the flows' offsets. */
function noteBases(c: ConversationAnalysis, f: number, r: number, seg: SegmentFacts): void {
  if (c[f + BASE_SET] === 0) {
    c[f + BASE_SEQ] = (seg.flags & TCP_FLAGS.SYN) !== 0 ? seg.seq : (seg.seq - 1) >>> 0;
    c[f + BASE_SET] = 1;
  }
  if (c[r + BASE_SET] === 0 && (seg.flags & TCP_FLAGS.ACK) !== 0) {
    c[r + BASE_SEQ] = (seg.ack - 1) >>> 0;
    c[r + BASE_SET] = 1;
  }
}

/** Analyse one segment of `conv` sent in direction `dir`, updating the conversation; the findings go to `out`. */
export function analyseSegment(c: ConversationAnalysis, dir: 0 | 1, seg: SegmentFacts, out: SegmentAnalysis): void {
  const f = dir === 0 ? 0 : FLOW;
  const r = dir === 0 ? FLOW : 0;
  const { seq, ack, flags } = seg;
  const isSyn = (flags & TCP_FLAGS.SYN) !== 0;
  const hasAck = (flags & TCP_FLAGS.ACK) !== 0;

  noteBases(c, f, r, seg);
  if (isSyn) applyWindowScale(c, f, r, hasAck, seg.wsShift);
  if (isSyn && !hasAck) {
    c[SYN_TIME] = seg.time;
    c[SYN_DIR] = dir;
  } else if (!isSyn && hasAck && c[FIRST_RTT] === 0 && (c[SYN_TIME] as number) >= 0 && dir === c[SYN_DIR]) {
    c[FIRST_RTT] = seg.time - (c[SYN_TIME] as number);
  }

  const window = isSyn ? seg.window : scaledWindow(seg.window, c[f + WIN_SCALE] as number);
  const relSeq = (seq - (c[f + BASE_SEQ] as number)) >>> 0;
  const relAck = hasAck ? (ack - (c[r + BASE_SEQ] as number)) >>> 0 : 0;
  sequenceAnalysis(c, f, r, seg, window, out);
  out.relSeq = relSeq;
  out.relAck = relAck;
}

function scaledWindow(window: number, scale: number): number {
  if (scale < 0) return window;
  // Shifts are capped at 14 (applyWindowScale), so the product fits; `**` would call Math.pow.
  return scale <= 14 ? window * (1 << scale) : window * 2 ** scale;
}

/** tshark's verify_tcp_window_scaling, run after the SYN's options are read. */
function applyWindowScale(c: ConversationAnalysis, f: number, r: number, isSynAck: boolean, shift: number): void {
  if (shift >= 0) c[f + WIN_SCALE] = Math.min(shift, 14);
  if (c[f + WIN_SCALE] === WS_UNKNOWN) {
    c[f + WIN_SCALE] = WS_NONE;
    c[r + WIN_SCALE] = WS_NONE;
  } else if (isSynAck && c[r + WIN_SCALE] === WS_NONE) {
    c[f + WIN_SCALE] = WS_NONE;
  }
}

function sequenceAnalysis(
  c: ConversationAnalysis,
  f: number,
  r: number,
  seg: SegmentFacts,
  window: number,
  out: SegmentAnalysis,
): void {
  const { seq, ack, flags, length, time } = seg;
  let a = forwardChecks(c, f, r, seg, window, out);
  if ((a & ANALYSIS.DUPLICATE_ACK) === 0) {
    c[f + LAST_NON_DUP_ACK] = seg.frame;
    c[f + DUP_ACK_NUM] = 0;
  }

  const revMax = c[r + MAX_SEQ_TO_BE_ACKED] as number;
  if (revMax !== 0 && seqGt(ack, revMax) && (flags & TCP_FLAGS.ACK) !== 0) {
    a |= ANALYSIS.ACK_LOST_PACKET;
    c[r + MAX_SEQ_TO_BE_ACKED] = c[r + NEXT_SEQ] as number;
  }

  const fwdNext = c[f + NEXT_SEQ] as number;
  if (
    (length > 0 || (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0) &&
    fwdNext !== 0 &&
    seqLt(seq, fwdNext) &&
    (a & ANALYSIS.KEEP_ALIVE) === 0
  ) {
    a |= retransmissionKind(c, f, r, seg);
  }

  let nextSeq = seqAdd(seq, length);
  if ((flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0) nextSeq = seqAdd(nextSeq, 1);
  const probe = (a & ANALYSIS.ZERO_WINDOW_PROBE) !== 0;
  if ((seqGt(nextSeq, fwdNext) || fwdNext === 0) && !probe) {
    c[f + NEXT_SEQ] = nextSeq;
    c[f + NEXT_SEQ_TIME] = time;
  }
  const fwdMax = c[f + MAX_SEQ_TO_BE_ACKED] as number;
  if ((seq === fwdMax || fwdMax === 0) && !probe) c[f + MAX_SEQ_TO_BE_ACKED] = c[f + NEXT_SEQ] as number;

  c[f + WINDOW] = window;
  c[f + LAST_ACK] = ack;
  c[f + LAST_ACK_TIME] = time;
  c[f + LAST_SEGMENT_FLAGS] = a;
  out.flags = a;
  out.window = window;
}

/**
 * The checks tshark makes before the retransmission test: probes, windows, keep-alives, dup
 * ACKs. Returns the ANALYSIS bits so far; the duplicate-ACK count and frame go to `out`.
 */
function forwardChecks(
  c: ConversationAnalysis,
  f: number,
  r: number,
  seg: SegmentFacts,
  window: number,
  out: SegmentAnalysis,
): number {
  const { seq, ack, flags, length } = seg;
  const plain = (flags & SYN_FIN_RST) === 0;
  const nextSeq = c[f + NEXT_SEQ] as number;
  const fwdWindow = c[f + WINDOW] as number;
  const lastAck = c[f + LAST_ACK] as number;
  const revWindow = c[r + WINDOW] as number;
  out.dupAckNum = 0;
  out.dupAckFrame = 0;
  let a = 0;
  if (length === 1 && seq === nextSeq && revWindow === 0) return a | ANALYSIS.ZERO_WINDOW_PROBE;
  if (window === 0 && plain) a |= ANALYSIS.ZERO_WINDOW;
  if (nextSeq !== 0 && seqGt(seq, nextSeq) && (flags & TCP_FLAGS.RST) === 0) a |= ANALYSIS.LOST_PACKET;
  if ((length === 0 || length === 1) && seq === (nextSeq - 1) >>> 0 && plain) a |= ANALYSIS.KEEP_ALIVE;
  if (length === 0 && window !== 0 && window !== fwdWindow && seq === nextSeq && ack === lastAck && plain) {
    a |= ANALYSIS.WINDOW_UPDATE;
  }
  // The peer's window is kept scaled already (as tshark shows it): the edge is its last ACK plus that.
  if (
    length > 0 &&
    c[r + WIN_SCALE] !== WS_UNKNOWN &&
    seqAdd(seq, length) === seqAdd(c[r + LAST_ACK] as number, revWindow) &&
    plain
  ) {
    a |= ANALYSIS.WINDOW_FULL;
  }
  // A bare ACK that repeats this side's last one: a keep-alive's or a probe's answer, else a duplicate.
  if (length !== 0 || window !== fwdWindow || seq !== nextSeq || ack !== lastAck || !plain) return a;
  const revFlags = c[r + LAST_SEGMENT_FLAGS] as number;
  if (window !== 0 && (revFlags & ANALYSIS.KEEP_ALIVE) !== 0) return a | ANALYSIS.KEEP_ALIVE_ACK;
  if (window === 0 && (revFlags & ANALYSIS.ZERO_WINDOW_PROBE) !== 0) return a | ANALYSIS.ZERO_WINDOW_PROBE_ACK;
  if (window !== 0) {
    const dupAcks = (c[f + DUP_ACK_NUM] as number) + 1;
    c[f + DUP_ACK_NUM] = dupAcks;
    out.dupAckNum = dupAcks;
    out.dupAckFrame = c[f + LAST_NON_DUP_ACK] as number;
    return a | ANALYSIS.DUPLICATE_ACK;
  }
  return a;
}

function retransmissionKind(c: ConversationAnalysis, f: number, r: number, seg: SegmentFacts): number {
  const { seq, length, time } = seg;
  const revLastAck = c[r + LAST_ACK] as number;
  if (
    (c[r + DUP_ACK_NUM] as number) >= 2 &&
    revLastAck === seq &&
    time - (c[r + LAST_ACK_TIME] as number) < 20_000_000
  ) {
    return ANALYSIS.FAST_RETRANSMISSION;
  }
  const sinceNext = time - (c[f + NEXT_SEQ_TIME] as number);
  const firstRtt = c[FIRST_RTT] as number;
  const threshold = firstRtt === 0 ? 3_000_000 : firstRtt;
  if (sinceNext < threshold && c[f + NEXT_SEQ] !== seqAdd(seq, length)) return ANALYSIS.OUT_OF_ORDER;
  if (length > 0 && revLastAck !== 0 && seqLe(seqAdd(seq, length), revLastAck)) {
    return ANALYSIS.SPURIOUS_RETRANSMISSION;
  }
  return ANALYSIS.RETRANSMISSION;
}

/** Flags tshark treats as a retransmission of data already seen (no subdissector call). */
export const RETRANSMITTED =
  ANALYSIS.RETRANSMISSION | ANALYSIS.SPURIOUS_RETRANSMISSION | ANALYSIS.FAST_RETRANSMISSION | ANALYSIS.OUT_OF_ORDER;
