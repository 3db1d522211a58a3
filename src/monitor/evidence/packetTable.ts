import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import { packetJson, type RecordFields } from './packetJson.js';
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

/** `reader`'s index in READERS. */
function readerIndex(reader: Reader): number {
  switch (reader) {
    case 'none':
      return 0;
    case 'http':
      return 1;
    case 'tls':
      return 2;
    case 'ssh':
      return 3;
    case 'pgsql':
      return 4;
    default:
      return 5;
  }
}

/** Rows a table has room for at first (most connections are short). */
const FIRST_ROWS = 8;
/**
 * Copied for a table's first rows: filled with a fraction so that the copy is an array of
 * doubles from the start (frame times beyond 2^31 ns would turn one of small integers into one).
 */
const FIRST_NUMBERS: number[] = new Array<number>(FIRST_ROWS * STRIDE).fill(0.5);
const NO_NUMBERS: number[] = [];

/**
 * A connection's packet records as it keeps them while it lasts: numbers in one array, the
 * options' bytes in another, the readings and events by reference — so that keeping a packet
 * makes no object (most connections are never reported). `json()` writes the records of one
 * that is.
 */
export class PacketTable {
  // Plain arrays rather than typed ones: a typed array's buffer costs more to make than a
  // connection's few packets cost to keep. The numbers' array is made at its first rows' size
  // and doubled when full, a copy of one of doubles: rows are stored in place, with no growth
  // per row nor change of the array's kind.
  #numbers: number[] = NO_NUMBERS;
  #rows = 0;
  readonly #options: number[] = [];
  readonly #readings: Reading[] = [];
  readonly #events: (readonly ProtocolEvent[])[] = [];

  get length(): number {
    return this.#rows;
  }

  /** Keep a packet's record (its byte fields may be views into the frame: they are copied). */
  add(p: PacketRecord, isOrig: boolean): void {
    const at = this.#rows * STRIDE;
    let n = this.#numbers;
    if (at + STRIDE > n.length) {
      n = n.length === 0 ? FIRST_NUMBERS.slice() : n.concat(n);
      this.#numbers = n;
    }
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
    n[at + FRAME] = p.frame;
    n[at + REL_NS] = p.rel_ns;
    n[at + SEQ] = p.seq;
    n[at + ACK] = p.ack;
    n[at + WIN] = p.win;
    n[at + LENGTHS] = p.len * 2 ** 17 + p.tcp_len;
    n[at + BITS] =
      p.flags |
      (isOrig ? 1 << 9 : 0) |
      (p.to_server ? 1 << 10 : 0) |
      (readerIndex(p.reader) << 11) |
      (p.analysis << 14);
    n[at + URG_SACK] = p.urg * 2 ** 32 + p.sack_base;
    n[at + DUP_ACK] = p.dup_ack;
    n[at + DUP_ACK_FRAME] = p.dup_ack_frame;
    n[at + OPTIONS] = optionsAt * 64 + options.length;
    this.#readings.push(p.reading);
    const events = p.events;
    this.#events.push(events.length === 0 ? NO_EVENTS : events.map(keepEvent));
  }

  /**
   * The rows as the stored event keeps them (./packetJson.ts): written from the numbers through
   * one record refilled row after row, without a record or a byte array made per row.
   */
  json(): string {
    const r = new RowFields();
    const n = this.#numbers;
    let s = '[';
    for (let row = 0; row < this.#rows; row++) {
      const at = row * STRIDE;
      const bits = n[at + BITS] as number;
      const lengths = n[at + LENGTHS] as number;
      const urgSack = n[at + URG_SACK] as number;
      const options = n[at + OPTIONS] as number;
      r.frame = n[at + FRAME] as number;
      r.rel_ns = n[at + REL_NS] as number;
      r.is_orig = (bits & (1 << 9)) !== 0;
      r.len = Math.floor(lengths / 2 ** 17);
      r.flags = bits & 0x1ff;
      r.seq = n[at + SEQ] as number;
      r.ack = n[at + ACK] as number;
      r.win = n[at + WIN] as number;
      r.tcp_len = lengths % 2 ** 17;
      r.urg = Math.floor(urgSack / 2 ** 32);
      r.sack_base = urgSack % 2 ** 32;
      r.analysis = bits >>> 14;
      r.dup_ack = n[at + DUP_ACK] as number;
      r.dup_ack_frame = n[at + DUP_ACK_FRAME] as number;
      r.reader = READERS[(bits >> 11) & 7] ?? 'none';
      r.reading = this.#readings[row] ?? null;
      r.to_server = (bits & (1 << 10)) !== 0;
      r.events = this.#events[row] ?? NO_EVENTS;
      s += (row === 0 ? '' : ',') + packetJson(r, this.#optionsHex(Math.floor(options / 64), options % 64));
    }
    return `${s}]`;
  }

  /** `length` option bytes kept from `at` on, in hex. */
  #optionsHex(at: number, length: number): string {
    let s = '';
    for (let i = 0; i < length; i += BYTES_PER_NUMBER) {
      let v = this.#options[at + i / BYTES_PER_NUMBER] as number;
      const end = Math.min(i + BYTES_PER_NUMBER, length);
      for (let j = i; j < end; j++) {
        const byte = v % 256;
        s += HEX[byte] as string;
        v = (v - byte) / 256;
      }
    }
    return s;
  }
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The fields of a row, refilled for each (see `json`). */
class RowFields implements RecordFields {
  frame = 0;
  rel_ns = 0;
  is_orig = false;
  len = 0;
  flags = 0;
  seq = 0;
  ack = 0;
  win = 0;
  tcp_len = 0;
  urg = 0;
  sack_base = 0;
  analysis = 0;
  dup_ack = 0;
  dup_ack_frame = 0;
  reader: Reader = 'none';
  reading: Reading = null;
  to_server = false;
  events: readonly ProtocolEvent[] = NO_EVENTS;
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
