import type { DecodedPacket } from '../decode/packet.js';
import type { TcpHeader } from '../decode/tcp.js';
import type { PacketLine, Reader } from '../evidence/packetRecord.js';
import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import type { TcpSegment } from './tcpSegment.js';

/** TCP options take at most 40 bytes; a frame cut short gives fewer. */
const MAX_OPTIONS = 40;

/**
 * The record of the TCP segment being read (../evidence/packetRecord.ts), filled from its
 * header and the conversation table's reading of it: one object refilled frame after frame,
 * read by the packet log and copied by a connection that keeps it (`keepPacket`). Its options
 * are copied into a buffer of its own and shown through a view of their length made once, so
 * that filling it makes no object.
 */
export class LivePacket implements PacketLine {
  frame = 0;
  rel_ns = 0;
  is_orig = true;
  len = 0;
  flags = 0;
  seq = 0;
  ack = 0;
  win = 0;
  tcp_len = 0;
  urg = 0;
  options: Uint8Array;
  sack_base = 0;
  analysis = 0;
  dup_ack = 0;
  dup_ack_frame = 0;
  reader: Reader = 'none';
  reading: Reading = null;
  to_server = false;
  events: readonly ProtocolEvent[] = [];
  src_h = '';
  src_p = 0;
  dst_h = '';
  dst_p = 0;
  precision = 6;
  readonly #optionBytes = new Uint8Array(MAX_OPTIONS);
  /** `#optionBytes` viewed at each length 0..40. */
  readonly #optionViews: readonly Uint8Array[];

  constructor() {
    const bytes = this.#optionBytes;
    this.#optionViews = Array.from({ length: MAX_OPTIONS + 1 }, (_, n) => bytes.subarray(0, n));
    this.options = this.#optionViews[0] as Uint8Array;
  }

  /** Fill it from a segment the conversation table just read; `ns` is its time since the capture's first frame. */
  fill(p: DecodedPacket, tcp: TcpHeader, seg: TcpSegment, ns: number): this {
    const f = p.frame;
    const ip = p.ip!;
    this.frame = f.number;
    this.rel_ns = ns;
    this.len = f.originalLength;
    this.precision = f.precision;
    this.src_h = ip.source;
    this.dst_h = ip.destination;
    this.src_p = tcp.sourcePort;
    this.dst_p = tcp.destinationPort;
    this.flags = tcp.flags;
    this.seq = seg.relSeq;
    this.ack = seg.relAck;
    this.win = seg.window;
    this.tcp_len = tcp.payloadLength;
    this.urg = tcp.urgent;
    const n = Math.min(tcp.optionsEnd - tcp.optionsOffset, MAX_OPTIONS);
    const bytes = this.#optionBytes;
    const data = f.data;
    for (let i = 0, at = tcp.optionsOffset; i < n; i++) bytes[i] = data[at + i] as number;
    this.options = this.#optionViews[Math.max(n, 0)] as Uint8Array;
    this.sack_base = seg.reverseBase;
    this.analysis = seg.flags;
    this.dup_ack = seg.dupAckNum;
    this.dup_ack_frame = seg.dupAckFrame;
    this.reader = seg.reader;
    this.reading = seg.reading;
    this.to_server = seg.toServer;
    this.events = seg.events;
    return this;
  }
}
