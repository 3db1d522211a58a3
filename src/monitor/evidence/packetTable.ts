import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import type { PacketRecord, Reader } from './packetRecord.js';

/** A row's numbers, in this order, in one array of numbers (held unboxed: V8 keeps an array of only numbers as doubles). */
const FRAME = 0;
const REL_NS = 1;
const LEN = 2;
const FLAGS = 3;
const SEQ = 4;
const ACK = 5;
const WIN = 6;
const TCP_LEN = 7;
const URG = 8;
const SACK_BASE = 9;
const ANALYSIS = 10;
const DUP_ACK = 11;
const DUP_ACK_FRAME = 12;
/** Where its options lie in the table's option bytes, and how many. */
const OPTIONS_AT = 13;
const OPTIONS_LEN = 14;
/** is_orig (1), to_server (2), and the reader's index in READERS above them. */
const BITS = 15;
const STRIDE = 16;

const READERS: readonly Reader[] = ['none', 'http', 'tls', 'ssh', 'pgsql', 'other'];
const NO_EVENTS: readonly ProtocolEvent[] = [];

/**
 * A connection's packet records as it keeps them while it lasts: numbers in one array, the
 * options' bytes in another, the readings and events by reference — so that keeping a packet
 * makes no object (most connections are never reported). `records()` makes the records of one
 * that is.
 */
export class PacketTable {
  // Plain arrays rather than typed ones: a typed array's buffer costs more to make than a
  // connection's few packets cost to keep.
  readonly #numbers: number[] = [];
  #rows = 0;
  readonly #options: number[] = [];
  readonly #readings: Reading[] = [];
  readonly #events: (readonly ProtocolEvent[])[] = [];

  get length(): number {
    return this.#rows;
  }

  /** Keep a packet's record (its byte fields may be views into the frame: they are copied). */
  add(p: PacketRecord, isOrig: boolean): void {
    this.#rows++;
    const options = p.options;
    const kept = this.#options;
    const optionsAt = kept.length;
    for (let i = 0; i < options.length; i++) kept.push(options[i] as number);
    this.#numbers.push(
      p.frame,
      p.rel_ns,
      p.len,
      p.flags,
      p.seq,
      p.ack,
      p.win,
      p.tcp_len,
      p.urg,
      p.sack_base,
      p.analysis,
      p.dup_ack,
      p.dup_ack_frame,
      optionsAt,
      options.length,
      (isOrig ? 1 : 0) | (p.to_server ? 2 : 0) | (READERS.indexOf(p.reader) << 2),
    );
    this.#readings.push(p.reading);
    this.#events.push(p.events.length === 0 ? NO_EVENTS : p.events.map(keepEvent));
  }

  records(): PacketRecord[] {
    const out: PacketRecord[] = [];
    const n = this.#numbers;
    for (let row = 0; row < this.#rows; row++) {
      const at = row * STRIDE;
      const bits = n[at + BITS] as number;
      const optionsAt = n[at + OPTIONS_AT] as number;
      out.push({
        frame: n[at + FRAME] as number,
        rel_ns: n[at + REL_NS] as number,
        is_orig: (bits & 1) !== 0,
        len: n[at + LEN] as number,
        flags: n[at + FLAGS] as number,
        seq: n[at + SEQ] as number,
        ack: n[at + ACK] as number,
        win: n[at + WIN] as number,
        tcp_len: n[at + TCP_LEN] as number,
        urg: n[at + URG] as number,
        options: new Uint8Array(this.#options.slice(optionsAt, optionsAt + (n[at + OPTIONS_LEN] as number))),
        sack_base: n[at + SACK_BASE] as number,
        analysis: n[at + ANALYSIS] as number,
        dup_ack: n[at + DUP_ACK] as number,
        dup_ack_frame: n[at + DUP_ACK_FRAME] as number,
        reader: READERS[bits >> 2] ?? 'none',
        reading: this.#readings[row] ?? null,
        to_server: (bits & 2) !== 0,
        events: this.#events[row] ?? NO_EVENTS,
      });
    }
    return out;
  }
}

/**
 * An event as it can be kept: its byte fields copied (they are views into the frame that carried
 * them; an HTTP body's first bytes are a copy already). An event without one is kept as it is:
 * the analyzers make an event per message and never change it.
 */
function keepEvent(e: ProtocolEvent): ProtocolEvent {
  let copy: Record<string, unknown> | null = null;
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (!(v instanceof Uint8Array)) continue;
    copy ??= { ...e };
    copy[k] = v.slice();
  }
  return copy === null ? e : (copy as unknown as ProtocolEvent);
}
