import { ANALYSIS, type SegmentAnalysis } from '../../tcp/sequenceAnalysis.js';

/** The notes tshark prepends to the Info column, in its order. */
export function analysisNotes(a: SegmentAnalysis): string {
  const f = a.flags;
  if (f === 0) return '';
  // tshark prepends each note in turn, so the last one checked comes first.
  let s = '';
  const pre = (note: string): void => {
    s = `[${note}] ${s}`;
  };
  if (f & ANALYSIS.RETRANSMISSION) pre('TCP Retransmission');
  if (f & ANALYSIS.SPURIOUS_RETRANSMISSION) pre('TCP Spurious Retransmission');
  if (f & ANALYSIS.LOST_PACKET) pre('TCP Previous segment not captured');
  if (f & ANALYSIS.ACK_LOST_PACKET) pre('TCP ACKed unseen segment');
  if (f & ANALYSIS.WINDOW_UPDATE) pre('TCP Window Update');
  if (f & ANALYSIS.WINDOW_FULL) pre('TCP Window Full');
  if (f & ANALYSIS.KEEP_ALIVE) pre('TCP Keep-Alive');
  if (f & ANALYSIS.KEEP_ALIVE_ACK) pre('TCP Keep-Alive ACK');
  if (f & ANALYSIS.DUPLICATE_ACK) pre(`TCP Dup ACK ${a.dupAckFrame}#${a.dupAckNum}`);
  if (f & ANALYSIS.FAST_RETRANSMISSION) pre('TCP Fast Retransmission');
  if (f & ANALYSIS.OUT_OF_ORDER) pre('TCP Out-Of-Order');
  if (f & ANALYSIS.ZERO_WINDOW_PROBE) pre('TCP ZeroWindowProbe');
  if (f & ANALYSIS.ZERO_WINDOW) pre('TCP ZeroWindow');
  if (f & ANALYSIS.ZERO_WINDOW_PROBE_ACK) pre('TCP ZeroWindowProbeAck');
  if (f & ANALYSIS.REUSED_PORTS) pre('TCP Port numbers reused');
  return s;
}
