/**
 * The packet monitor: capture reading (pcap/pcapng from files, pipes and live tcpdump),
 * decoding, one table of TCP conversations read as tshark reads them (protocol analyzers
 * emitting typed events) and tracked as their endpoints received them (reassembly, HTTP
 * requests for the shared engine), the tshark-format packet log rendered from that, network
 * detectors (scans, floods, password guessing) and Zeek-named evidence (conn, http, dns).
 */
export { CaptureParser } from './capture/captureParser.js';
export { CaptureError } from './capture/errors.js';
export { type Frame, frameTimeMs } from './capture/frame.js';
export { type LiveCapture, LiveCaptureError, type LiveCaptureResult, startLiveCapture } from './capture/live.js';
export { openCaptureFile, readCapture } from './capture/source.js';
export { type DecodedPacket, decodePacket } from './decode/packet.js';
export type { ConnRecord, DnsRecord, FlowEvidence, HttpRecord } from './evidence/records.js';
export { evidenceText, printStoredEvidence } from './evidence/storedEvidence.js';
export { MacNames } from './log/names.js';
export { PacketLogReader } from './log/packetLogReader.js';
export { inThreadJudge, Monitor, type MonitorOptions, type MonitorStats } from './monitor.js';
export type { ProtocolEvent } from './protocols/events.js';
