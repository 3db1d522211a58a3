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

export class FlowAnalysis {
  baseSeq = 0;
  baseSet = false;
  winScale = WS_UNKNOWN;
  window = 0;
  nextSeq = 0;
  /** Nanoseconds (relative to the capture start) when nextSeq last advanced. */
  nextSeqTime = 0;
  maxSeqToBeAcked = 0;
  lastAck = 0;
  lastAckTime = 0;
  dupAckNum = 0;
  lastNonDupAck = 0;
  lastSegmentFlags = 0;
}

/** The state of one TCP conversation (both directions) for the packet log. */
export class ConversationAnalysis {
  /** [0]: the endpoint that sent the first packet seen; [1]: its peer. */
  readonly flows: [FlowAnalysis, FlowAnalysis] = [new FlowAnalysis(), new FlowAnalysis()];
  synTime = -1;
  synDir: 0 | 1 = 0;
  firstRtt = 0;
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
  const fwd = conv.flows[dir];
  return (flags & TCP_FLAGS.SYN) !== 0 && fwd.baseSet && seq !== fwd.baseSeq;
}

/** The base sequence numbers, from the first segment each way (or the other side's ACK). */
function noteBases(conv: ConversationAnalysis, dir: 0 | 1, seg: SegmentFacts): void {
  const fwd = conv.flows[dir];
  const rev = conv.flows[dir === 0 ? 1 : 0];
  if (!fwd.baseSet) {
    fwd.baseSeq = (seg.flags & TCP_FLAGS.SYN) !== 0 ? seg.seq : (seg.seq - 1) >>> 0;
    fwd.baseSet = true;
  }
  if (!rev.baseSet && (seg.flags & TCP_FLAGS.ACK) !== 0) {
    rev.baseSeq = (seg.ack - 1) >>> 0;
    rev.baseSet = true;
  }
}

/** Analyse one segment of `conv` sent in direction `dir`, updating the conversation; the findings go to `out`. */
export function analyseSegment(conv: ConversationAnalysis, dir: 0 | 1, seg: SegmentFacts, out: SegmentAnalysis): void {
  const fwd = conv.flows[dir];
  const rev = conv.flows[dir === 0 ? 1 : 0];
  const { seq, ack, flags } = seg;
  const isSyn = (flags & TCP_FLAGS.SYN) !== 0;
  const hasAck = (flags & TCP_FLAGS.ACK) !== 0;

  noteBases(conv, dir, seg);
  if (isSyn) applyWindowScale(fwd, rev, hasAck, seg.wsShift);
  if (isSyn && !hasAck) {
    conv.synTime = seg.time;
    conv.synDir = dir;
  } else if (!isSyn && hasAck && conv.firstRtt === 0 && conv.synTime >= 0 && dir === conv.synDir) {
    conv.firstRtt = seg.time - conv.synTime;
  }

  const window = isSyn ? seg.window : scaledWindow(seg.window, fwd.winScale);
  const relSeq = (seq - fwd.baseSeq) >>> 0;
  const relAck = hasAck ? (ack - rev.baseSeq) >>> 0 : 0;
  sequenceAnalysis(conv, fwd, rev, seg, window, out);
  out.relSeq = relSeq;
  out.relAck = relAck;
}

function scaledWindow(window: number, scale: number): number {
  if (scale < 0) return window;
  // Shifts are capped at 14 (applyWindowScale), so the product fits; `**` would call Math.pow.
  return scale <= 14 ? window * (1 << scale) : window * 2 ** scale;
}

/** tshark's verify_tcp_window_scaling, run after the SYN's options are read. */
function applyWindowScale(fwd: FlowAnalysis, rev: FlowAnalysis, isSynAck: boolean, shift: number): void {
  if (shift >= 0) fwd.winScale = Math.min(shift, 14);
  if (fwd.winScale === WS_UNKNOWN) {
    fwd.winScale = WS_NONE;
    rev.winScale = WS_NONE;
  } else if (isSynAck && rev.winScale === WS_NONE) {
    fwd.winScale = WS_NONE;
  }
}

function sequenceAnalysis(
  conv: ConversationAnalysis,
  fwd: FlowAnalysis,
  rev: FlowAnalysis,
  seg: SegmentFacts,
  window: number,
  out: SegmentAnalysis,
): void {
  const { seq, ack, flags, length, time } = seg;
  let a = forwardChecks(fwd, rev, seg, window, out);
  if ((a & ANALYSIS.DUPLICATE_ACK) === 0) {
    fwd.lastNonDupAck = seg.frame;
    fwd.dupAckNum = 0;
  }

  if (rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked) && (flags & TCP_FLAGS.ACK) !== 0) {
    a |= ANALYSIS.ACK_LOST_PACKET;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  if (
    (length > 0 || (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0) &&
    fwd.nextSeq !== 0 &&
    seqLt(seq, fwd.nextSeq) &&
    (a & ANALYSIS.KEEP_ALIVE) === 0
  ) {
    a |= retransmissionKind(conv, fwd, rev, seg);
  }

  let nextSeq = seqAdd(seq, length);
  if ((flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN)) !== 0) nextSeq = seqAdd(nextSeq, 1);
  const probe = (a & ANALYSIS.ZERO_WINDOW_PROBE) !== 0;
  if ((seqGt(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqTime = time;
  }
  if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;

  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckTime = time;
  fwd.lastSegmentFlags = a;
  out.flags = a;
  out.window = window;
}

/**
 * The checks tshark makes before the retransmission test: probes, windows, keep-alives, dup
 * ACKs. Returns the ANALYSIS bits so far; the duplicate-ACK count and frame go to `out`.
 */
function forwardChecks(
  fwd: FlowAnalysis,
  rev: FlowAnalysis,
  seg: SegmentFacts,
  window: number,
  out: SegmentAnalysis,
): number {
  const { seq, ack, flags, length } = seg;
  const plain = (flags & SYN_FIN_RST) === 0;
  out.dupAckNum = 0;
  out.dupAckFrame = 0;
  let a = 0;
  if (length === 1 && seq === fwd.nextSeq && rev.window === 0) return a | ANALYSIS.ZERO_WINDOW_PROBE;
  if (window === 0 && plain) a |= ANALYSIS.ZERO_WINDOW;
  if (fwd.nextSeq !== 0 && seqGt(seq, fwd.nextSeq) && (flags & TCP_FLAGS.RST) === 0) a |= ANALYSIS.LOST_PACKET;
  if ((length === 0 || length === 1) && seq === (fwd.nextSeq - 1) >>> 0 && plain) a |= ANALYSIS.KEEP_ALIVE;
  if (length === 0 && window !== 0 && window !== fwd.window && seq === fwd.nextSeq && ack === fwd.lastAck && plain) {
    a |= ANALYSIS.WINDOW_UPDATE;
  }
  // The peer's window is kept scaled already (as tshark shows it): the edge is its last ACK plus that.
  if (length > 0 && rev.winScale !== WS_UNKNOWN && seqAdd(seq, length) === seqAdd(rev.lastAck, rev.window) && plain) {
    a |= ANALYSIS.WINDOW_FULL;
  }
  // A bare ACK that repeats this side's last one: a keep-alive's or a probe's answer, else a duplicate.
  if (length !== 0 || window !== fwd.window || seq !== fwd.nextSeq || ack !== fwd.lastAck || !plain) return a;
  if (window !== 0 && (rev.lastSegmentFlags & ANALYSIS.KEEP_ALIVE) !== 0) return a | ANALYSIS.KEEP_ALIVE_ACK;
  if (window === 0 && (rev.lastSegmentFlags & ANALYSIS.ZERO_WINDOW_PROBE) !== 0)
    return a | ANALYSIS.ZERO_WINDOW_PROBE_ACK;
  if (window !== 0) {
    fwd.dupAckNum++;
    out.dupAckNum = fwd.dupAckNum;
    out.dupAckFrame = fwd.lastNonDupAck;
    return a | ANALYSIS.DUPLICATE_ACK;
  }
  return a;
}

function retransmissionKind(
  conv: ConversationAnalysis,
  fwd: FlowAnalysis,
  rev: FlowAnalysis,
  seg: SegmentFacts,
): number {
  const { seq, length, time } = seg;
  if (rev.dupAckNum >= 2 && rev.lastAck === seq && time - rev.lastAckTime < 20_000_000) {
    return ANALYSIS.FAST_RETRANSMISSION;
  }
  const sinceNext = time - fwd.nextSeqTime;
  const threshold = conv.firstRtt === 0 ? 3_000_000 : conv.firstRtt;
  if (sinceNext < threshold && fwd.nextSeq !== seqAdd(seq, length)) return ANALYSIS.OUT_OF_ORDER;
  if (length > 0 && rev.lastAck !== 0 && seqLe(seqAdd(seq, length), rev.lastAck)) {
    return ANALYSIS.SPURIOUS_RETRANSMISSION;
  }
  return ANALYSIS.RETRANSMISSION;
}

/** Flags tshark treats as a retransmission of data already seen (no subdissector call). */
export const RETRANSMITTED =
  ANALYSIS.RETRANSMISSION | ANALYSIS.SPURIOUS_RETRANSMISSION | ANALYSIS.FAST_RETRANSMISSION | ANALYSIS.OUT_OF_ORDER;
