/**
 * A batch's threat lines as a worker hands them back (./batch.ts): a row of numbers per hit in
 * one typed array, its strings by number in the batch's name table (./batchTable.ts), and the
 * events' JSON as UTF-8 in one buffer; both arrays are transferred, not cloned. The worker
 * places each event as if its line were the first of its content in the file (what nearly
 * every threat line is): its id, store key and document come made, short of the line number,
 * which the reading thread writes into the room left for it.
 *
 * Docs layout, per hit: the line's key (hashText, 16 latin1 bytes), then the document up to
 * `"line":`, then LINE_ROOM bytes for the line number and the closing braces.
 */
import type { Match } from '../detect/types.js';
import type { HttpObservation } from '../observe/observation.js';
import type { EventColumns } from '../store/encodedEvent.js';
import { eventKey } from '../store/encodedEvent.js';
import { type NameTable, NumberRows, nameOf } from './batchTable.js';
import { asciiBytes, JsonBytes } from './jsonBytes.js';
import { eventPlace, hashText } from './lineCore.js';
import { writeThreatJson } from './threatJson.js';

/** Where each value of a hit sits in its row. */
const INDEX = 0;
const FIRST_KEY = 1;
const TS = 2;
/** Numbers in the name table: the source address, the threat and rule ids (-1 for null). */
const SOURCE = 3;
const THREAT = 4;
const RULE = 5;
/** Byte offsets in the docs: the line's key, the document's start, its id's value, what follows the id, where the line number goes. */
const KEY_AT = 6;
const DOC_AT = 7;
const ID_AT = 8;
const MIDDLE_AT = 9;
const LINE_AT = 10;
export const HIT_WIDTH = 11;

/** Bytes left after each document for its line number and closing braces (16 digits hold any safe integer). */
const LINE_ROOM = 20;
const FIRST_DOCS_BYTES = 64 * 1024;
const FILE = asciiBytes('{"file":');
const LINE = asciiBytes(',"line":');

/** A batch's hits as a worker writes them: the rows, and the keys and documents in a buffer that grows. */
export class HitWriter {
  readonly #rows = new NumberRows(HIT_WIDTH);
  #docs: JsonBytes | null = null;
  readonly #fileJson: Uint8Array;

  constructor(
    /** The file's identity the first occurrences are placed with. */
    private readonly identity: string,
    /** `JSON.stringify` of the file's label, as `bansho.origin.file`. */
    fileJson: string,
    /** The batch's strings (shared with its signals). */
    private readonly names: NameTable,
  ) {
    this.#fileJson = Buffer.from(fileJson, 'utf8');
  }

  /** Append a threat line's event, placed as its content's first occurrence in the file. */
  push(
    index: number,
    line: string,
    observation: HttpObservation,
    matches: readonly Match[],
    threatName: ((threatId: string) => string | undefined) | undefined,
  ): void {
    const lineKey = hashText(line);
    const firstId = eventPlace(this.identity, 1, lineKey, '', 0).id;
    this.#docs ??= new JsonBytes(FIRST_DOCS_BYTES);
    const docs = this.#docs;
    const keyAt = docs.used;
    docs.ascii(lineKey);
    const docAt = docs.used;
    const doc = writeThreatJson(docs, line, observation, matches, threatName, firstId);
    docs.bytes(FILE);
    docs.bytes(this.#fileJson);
    docs.bytes(LINE);
    const lineAt = docs.used;
    docs.skip(LINE_ROOM);
    const rows = this.#rows;
    rows.add(index);
    rows.add(eventKey(firstId));
    rows.add(doc.ts);
    rows.add(this.names.of(observation.source.ip));
    rows.add(this.names.of(doc.threatId));
    rows.add(this.names.of(doc.ruleId));
    rows.add(keyAt);
    rows.add(docAt);
    rows.add(doc.idAt);
    rows.add(doc.middleAt);
    rows.add(lineAt);
  }

  /** The rows written (an array of its own, to transfer). */
  rows(): Float64Array {
    return this.#rows.rows();
  }

  /** The keys and documents written (a buffer of its own, to transfer), or null with no hit. */
  docs(): Uint8Array | null {
    return this.#docs?.written() ?? null;
  }
}

/** A batch's hits as the reading thread takes them back: read in place, hit by hit. */
export class BatchHits {
  readonly count: number;
  readonly #docs: Buffer;
  /** One hit's columns at a time (a DocEvent copies them out). */
  readonly #columns: { -readonly [K in keyof EventColumns]: EventColumns[K] } = {
    ts: 0,
    action: 'detected',
    sourceIp: '',
    threatId: null,
    ruleId: null,
  };

  constructor(
    private readonly rows: Float64Array,
    private readonly names: readonly string[],
    docs: Uint8Array | null,
  ) {
    this.count = rows.length / HIT_WIDTH;
    this.#docs = docs === null ? Buffer.alloc(0) : Buffer.from(docs.buffer, docs.byteOffset, docs.byteLength);
  }

  /** The line index of hit `h` in its batch. */
  index(h: number): number {
    return this.#at(h, INDEX);
  }

  /** hashText of hit `h`'s line: its content, counted per file for the occurrence. */
  lineKey(h: number): string {
    return this.#docs.toString('latin1', this.#at(h, KEY_AT), this.#at(h, DOC_AT));
  }

  /** The store key of hit `h` as its content's first occurrence in a file of the batch's identity. */
  firstKey(h: number): number {
    return this.#at(h, FIRST_KEY);
  }

  /** Hit `h`'s columns (a `detected` event), in an object that the next call reuses. */
  columns(h: number): EventColumns {
    const c = this.#columns;
    c.ts = this.#at(h, TS);
    c.sourceIp = nameOf(this.names, this.#at(h, SOURCE)) as string;
    c.threatId = nameOf(this.names, this.#at(h, THREAT));
    c.ruleId = nameOf(this.names, this.#at(h, RULE));
    return c;
  }

  /**
   * Hit `h`'s document placed at `lineNo` as its content's first occurrence: the line number and
   * closing braces written into the room after it (each hit's room is its own), then a view.
   */
  firstPlacedDoc(h: number, lineNo: number): Buffer {
    const end = writeLineEnd(this.#docs, this.#at(h, LINE_AT), lineNo);
    return this.#docs.subarray(this.#at(h, DOC_AT), end);
  }

  /** Hit `h`'s document with another id (a repeated line, placed by occurrence), at `lineNo`: a copy. */
  placedDoc(h: number, id: string, lineNo: number): Buffer {
    const docs = this.#docs;
    return Buffer.concat([
      docs.subarray(this.#at(h, DOC_AT), this.#at(h, ID_AT)),
      Buffer.from(JSON.stringify(id), 'latin1'),
      docs.subarray(this.#at(h, MIDDLE_AT), this.#at(h, LINE_AT)),
      Buffer.from(`${lineNo}}}}`, 'latin1'),
    ]);
  }

  #at(h: number, field: number): number {
    return this.rows[h * HIT_WIDTH + field] as number;
  }
}

const ZERO = 48;
const BRACE = 125;

/** `${lineNo}}}}` at `at` in `docs` (no string made), for a line number ≥ 1; the end's offset. */
function writeLineEnd(docs: Buffer, at: number, lineNo: number): number {
  let digits = 1;
  for (let n = lineNo; n >= 10; n = Math.floor(n / 10)) digits++;
  let n = lineNo;
  for (let i = at + digits - 1; i >= at; i--) {
    docs[i] = ZERO + (n % 10);
    n = Math.floor(n / 10);
  }
  const end = at + digits;
  docs[end] = BRACE;
  docs[end + 1] = BRACE;
  docs[end + 2] = BRACE;
  return end + 3;
}
