/**
 * The requests of a batch the behaviours count (errors and login posts: on an attack-heavy log,
 * most lines), as a worker hands them back (./batch.ts): a row of numbers each in one typed
 * array, strings by number in the batch's name table (./batchTable.ts), and the line itself
 * not copied at all: it is where it was in the batch's bytes, which come back with the reply.
 */

import { requestSignal } from '../detect/behaviour/httpBehaviour.js';
import { QUOTED_LINE_CHARS } from '../events/toEvent.js';
import type { HttpObservation } from '../observe/observation.js';
import { type NameTable, NumberRows, nameOf } from './batchTable.js';
import type { LoggedSignal } from './lineCore.js';

const INDEX = 0;
const TIME = 1;
const STATUS = 2;
/** The line's bytes in the batch: its start and how many of them are the signal's (QUOTED_LINE_CHARS at most). */
const LINE_AT = 3;
const LINE_LENGTH = 4;
/** Numbers in the name table. */
const SOURCE = 5;
const METHOD = 6;
const PATH = 7;
const QUERY = 8;
export const SIGNAL_WIDTH = 9;

/** A batch's signals as a worker writes them. */
export class SignalWriter {
  readonly #rows = new NumberRows(SIGNAL_WIDTH);

  constructor(private readonly names: NameTable) {}

  /**
   * The signal of the request on line `index` (its `length` chars at byte `at` of the batch,
   * read as latin1), if the behaviours count it; as `loggedSignal` makes it.
   */
  push(index: number, at: number, length: number, observation: HttpObservation): void {
    const signal = requestSignal(observation, observation.status);
    if (signal === null) return;
    const rows = this.#rows;
    rows.add(index);
    rows.add(signal.time);
    rows.add(signal.status);
    rows.add(at);
    rows.add(Math.min(length, QUOTED_LINE_CHARS));
    rows.add(this.names.of(signal.source));
    rows.add(this.names.of(signal.method));
    rows.add(this.names.of(signal.path));
    rows.add(this.names.of(signal.query));
  }

  /** The rows written (an array of its own, to transfer). */
  rows(): Float64Array {
    return this.#rows.rows();
  }
}

/** A batch's signals as the reading thread takes them back. */
export class BatchSignals {
  readonly count: number;

  constructor(
    private readonly rows: Float64Array,
    private readonly names: readonly string[],
    /** The batch's bytes, which the lines are read from. */
    private readonly bytes: Buffer,
  ) {
    this.count = rows.length / SIGNAL_WIDTH;
  }

  /** The line index of signal `s` in its batch. */
  index(s: number): number {
    return this.#at(s, INDEX);
  }

  /** Signal `s`, as `loggedSignal` made it on the worker. */
  signal(s: number): LoggedSignal {
    const names = this.names;
    const at = this.#at(s, LINE_AT);
    return {
      time: this.#at(s, TIME),
      source: nameOf(names, this.#at(s, SOURCE)) as string,
      method: nameOf(names, this.#at(s, METHOD)) as string,
      path: nameOf(names, this.#at(s, PATH)) as string,
      query: nameOf(names, this.#at(s, QUERY)) as string,
      status: this.#at(s, STATUS),
      line: this.bytes.toString('latin1', at, at + this.#at(s, LINE_LENGTH)),
    };
  }

  #at(s: number, field: number): number {
    return this.rows[s * SIGNAL_WIDTH + field] as number;
  }
}
