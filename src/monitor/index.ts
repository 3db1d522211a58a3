/**
 * The packet monitor: capture reading (pcap/pcapng from files, pipes and live tcpdump),
 * decoding, the tshark-format packet log, TCP reassembly into Observations for the shared
 * engine, network detectors (scans, floods) and Zeek-like flow summaries.
 */
export { CaptureParser } from './capture/captureParser.js';
export { CaptureError } from './capture/errors.js';
export { type Frame, frameTimeMs } from './capture/frame.js';
export { type LiveCapture, LiveCaptureError, type LiveCaptureResult, startLiveCapture } from './capture/live.js';
export { openCaptureFile, readCapture } from './capture/source.js';
export { type DecodedPacket, decodePacket } from './decode/packet.js';
export { DEFAULT_THRESHOLDS, loadThresholds, type Thresholds } from './detect/thresholds.js';
export type { FlowSummary } from './flows/flow.js';
export { MacNames } from './log/names.js';
export { PacketLog } from './log/packetLog.js';
export { inThreadJudge, Monitor, type MonitorOptions, type MonitorStats } from './monitor.js';
export { evidenceText, printStoredEvidence } from './storedEvidence.js';
