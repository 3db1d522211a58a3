import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import type { PacketRecord, Reader } from './packetRecord.js';

/**
 * A row's numbers, in this order, in one array of numbers (held unboxed: V8 keeps an array of
 * only numbers as doubles), small fields two to a number to keep the table small.
 */
const FRAME = 0;
const REL_NS = 1;
const SEQ = 2;
const ACK = 3;
const WIN = 4;
/** len · 2^17 + tcp_len (a payload is under 2^16 bytes). */
const LENGTHS = 5;
/** flags (9 bits), is_orig and to_server (a bit each), the reader's index in READERS (3 bits), analysis (15 bits). */
const BITS = 6;
/** urg · 2^32 + sack_base. */
const URG_SACK = 7;
const DUP_ACK = 8;
const DUP_ACK_FRAME = 9;
/** Where its options start in the option numbers · 64 + their length in bytes (at most 40). */
const OPTIONS = 10;
const STRIDE = 11;
/** Option bytes are kept six to a number (exact in a double), each packet's from a number of its own. */
const BYTES_PER_NUMBER = 6;

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
    for (let i = 0; i < options.length; i += BYTES_PER_NUMBER) {
      let v = 0;
      const end = Math.min(i + BYTES_PER_NUMBER, options.length);
      for (let j = end - 1; j >= i; j--) v = v * 256 + (options[j] as number);
      kept.push(v);
    }
    const bits =
      p.flags |
      (isOrig ? 1 << 9 : 0) |
      (p.to_server ? 1 << 10 : 0) |
      (READERS.indexOf(p.reader) << 11) |
      (p.analysis << 14);
    this.#numbers.push(
      p.frame,
      p.rel_ns,
      p.seq,
      p.ack,
      p.win,
      p.len * 2 ** 17 + p.tcp_len,
      bits,
      p.urg * 2 ** 32 + p.sack_base,
      p.dup_ack,
      p.dup_ack_frame,
      optionsAt * 64 + options.length,
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
      const lengths = n[at + LENGTHS] as number;
      const urgSack = n[at + URG_SACK] as number;
      const options = n[at + OPTIONS] as number;
      out.push({
        frame: n[at + FRAME] as number,
        rel_ns: n[at + REL_NS] as number,
        is_orig: (bits & (1 << 9)) !== 0,
        len: Math.floor(lengths / 2 ** 17),
        flags: bits & 0x1ff,
        seq: n[at + SEQ] as number,
        ack: n[at + ACK] as number,
        win: n[at + WIN] as number,
        tcp_len: lengths % 2 ** 17,
        urg: Math.floor(urgSack / 2 ** 32),
        options: this.#optionBytes(Math.floor(options / 64), options % 64),
        sack_base: urgSack % 2 ** 32,
        analysis: bits >>> 14,
        dup_ack: n[at + DUP_ACK] as number,
        dup_ack_frame: n[at + DUP_ACK_FRAME] as number,
        reader: READERS[(bits >> 11) & 7] ?? 'none',
        reading: this.#readings[row] ?? null,
        to_server: (bits & (1 << 10)) !== 0,
        events: this.#events[row] ?? NO_EVENTS,
      });
    }
    return out;
  }

  #optionBytes(at: number, length: number): Uint8Array {
    const b = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const v = this.#options[at + Math.floor(i / BYTES_PER_NUMBER)] as number;
      b[i] = Math.floor(v / 256 ** (i % BYTES_PER_NUMBER)) % 256;
    }
    return b;
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
