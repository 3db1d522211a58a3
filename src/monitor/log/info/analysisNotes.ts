import type { PacketRecord } from '../../evidence/packetRecord.js';
import { ANALYSIS } from '../../tcp/sequenceAnalysis.js';

/** The notes with fixed text, in the order tshark checks them. */
const NOTES: ReadonlyArray<readonly [flag: number, note: string]> = [
  [ANALYSIS.RETRANSMISSION, '[TCP Retransmission] '],
  [ANALYSIS.SPURIOUS_RETRANSMISSION, '[TCP Spurious Retransmission] '],
  [ANALYSIS.LOST_PACKET, '[TCP Previous segment not captured] '],
  [ANALYSIS.ACK_LOST_PACKET, '[TCP ACKed unseen segment] '],
  [ANALYSIS.WINDOW_UPDATE, '[TCP Window Update] '],
  [ANALYSIS.WINDOW_FULL, '[TCP Window Full] '],
  [ANALYSIS.KEEP_ALIVE, '[TCP Keep-Alive] '],
  [ANALYSIS.KEEP_ALIVE_ACK, '[TCP Keep-Alive ACK] '],
  [ANALYSIS.DUPLICATE_ACK, ''],
  [ANALYSIS.FAST_RETRANSMISSION, '[TCP Fast Retransmission] '],
  [ANALYSIS.OUT_OF_ORDER, '[TCP Out-Of-Order] '],
  [ANALYSIS.ZERO_WINDOW_PROBE, '[TCP ZeroWindowProbe] '],
  [ANALYSIS.ZERO_WINDOW, '[TCP ZeroWindow] '],
  [ANALYSIS.ZERO_WINDOW_PROBE_ACK, '[TCP ZeroWindowProbeAck] '],
  [ANALYSIS.REUSED_PORTS, '[TCP Port numbers reused] '],
];

/** The notes tshark prepends to the Info column, in its order. */
export function analysisNotes(a: Pick<PacketRecord, 'analysis' | 'dup_ack' | 'dup_ack_frame'>): string {
  const f = a.analysis;
  if (f === 0) return '';
  // tshark prepends each note in turn, so the last one checked comes first.
  let s = '';
  for (const [flag, note] of NOTES) {
    if ((f & flag) === 0) continue;
    s = (flag === ANALYSIS.DUPLICATE_ACK ? `[TCP Dup ACK ${a.dup_ack_frame}#${a.dup_ack}] ` : note) + s;
  }
  return s;
}
