import type { DecodedPacket } from '../decode/packet.js';
import type { TcpHeader } from '../decode/tcp.js';
import type { PacketLine, Reader } from '../evidence/packetRecord.js';
import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import { TcpSegment } from './tcpSegment.js';

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
  /**
   * A capture's times pass 2^31 ns within seconds: a fraction to start with makes the field
   * a double from the first, so that code optimized around this object is not thrown away
   * when they do (a field going from small integer to double changes the object's shape).
   */
  rel_ns = 0.5;
  is_orig = true;
  len = 0;
  flags = 0;
  tcp_len = 0;
  urg = 0;
  options: Uint8Array;
  src_h = '';
  src_p = 0;
  dst_h = '';
  dst_p = 0;
  precision = 6;
  /** The segment's own facts are read through to it, not copied: it is refilled only by the next read. */
  #seg: TcpSegment = EMPTY_SEGMENT;
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
    this.#seg = seg;
    this.tcp_len = tcp.payloadLength;
    this.urg = tcp.urgent;
    const n = Math.min(tcp.optionsEnd - tcp.optionsOffset, MAX_OPTIONS);
    const bytes = this.#optionBytes;
    // Read in the frame's bytes at its start: no view of the record (../capture/reusedFrame.ts).
    const data = f.bytes;
    for (let i = 0, at = f.start + tcp.optionsOffset; i < n; i++) bytes[i] = data[at + i] as number;
    this.options = this.#optionViews[Math.max(n, 0)] as Uint8Array;
    return this;
  }

  get seq(): number {
    return this.#seg.relSeq;
  }
  get ack(): number {
    return this.#seg.relAck;
  }
  get win(): number {
    return this.#seg.window;
  }
  get sack_base(): number {
    return this.#seg.reverseBase;
  }
  get analysis(): number {
    return this.#seg.flags;
  }
  get dup_ack(): number {
    return this.#seg.dupAckNum;
  }
  get dup_ack_frame(): number {
    return this.#seg.dupAckFrame;
  }
  get reader(): Reader {
    return this.#seg.reader;
  }
  get reading(): Reading {
    return this.#seg.reading;
  }
  get to_server(): boolean {
    return this.#seg.toServer;
  }
  get events(): readonly ProtocolEvent[] {
    return this.#seg.events;
  }
}

/** What a packet not yet filled reads through to. */
const EMPTY_SEGMENT = new TcpSegment();
