/**
 * One TCP packet of a connection as evidence: the facts its packet-log line is made from, kept
 * as numbers and bytes rather than as the line (which ../log/tcpLine.ts renders from them, live
 * and from a stored event alike). Field names in Zeek's style (`is_orig`, snake case); numbers
 * are tshark's (relative sequence numbers, the scaled window, its sequence-analysis flags).
 */
import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';

/** Which analyzer read a segment, as far as the packet log must know to show a part of a PDU. */
export type Reader = 'none' | 'http' | 'tls' | 'ssh' | 'pgsql' | 'other';

export interface PacketRecord {
  /** Frame number within the capture. */
  readonly frame: number;
  /** Nanoseconds since the capture's first frame (tshark's relative time). */
  readonly rel_ns: number;
  /** Sent by the connection's originator. */
  readonly is_orig: boolean;
  /** Frame length on the wire. */
  readonly len: number;
  /** TCP flag bits (FIN 0x01 … AE 0x100). */
  readonly flags: number;
  /** Relative sequence and acknowledgement numbers, the window as tshark shows it (scaled when known). */
  readonly seq: number;
  readonly ack: number;
  readonly win: number;
  /** Payload bytes. */
  readonly tcp_len: number;
  readonly urg: number;
  /** The TCP options as sent (tshark names MSS, WS, SACK_PERM, TS and SACK in the Info column). */
  readonly options: Uint8Array;
  /** The base sequence number of the other direction: SACK edges are shown relative to it. */
  readonly sack_base: number;
  /** tshark's sequence-analysis flags (../tcp/sequenceAnalysis.ts ANALYSIS bits). */
  readonly analysis: number;
  /** A duplicate ACK's number and the frame it repeats (0 when it is none). */
  readonly dup_ack: number;
  readonly dup_ack_frame: number;
  readonly reader: Reader;
  /** How the analyzer read the payload (null: nothing read it). */
  readonly reading: Reading;
  /** Sent toward the reading service's port (PostgreSQL marks `>`). */
  readonly to_server: boolean;
  /** What the protocol analyzers read off it: the Info column is made from these. */
  readonly events: readonly ProtocolEvent[];
}

/** A packet's record with what its line shows besides: its endpoints and how its time is written. */
export interface PacketLine extends PacketRecord {
  readonly src_h: string;
  readonly src_p: number;
  readonly dst_h: string;
  readonly dst_p: number;
  /** Decimals of the capture's time stamps (6 for pcap, 9 for nanosecond pcap). */
  readonly precision: number;
}

/** The capture a connection's packets were read from: their relative times count from its first frame. */
export interface CaptureStart {
  /** The first frame's time, seconds since the epoch (Zeek's `ts`). */
  readonly ts: number;
  readonly precision: number;
}
