/**
 * A batch's threat lines as a worker hands them back (./batch.ts): one flat array of strings
 * and numbers, so many values per hit and no object, and the events' JSON as UTF-8 in one
 * buffer, transferred rather than cloned. JSON as strings (1.3 KB an event, several megabytes
 * a batch) was the reading thread's garbage: young strings held until their batch's turn came,
 * copied by every scavenge, and a quarter of that thread's time on an attack-heavy log. The
 * worker also places each event as if its line were the first of its content in the file (what
 * nearly every threat line is): its id, store key and document come made, short of the line
 * number, which the reading thread writes into the room left for it.
 */
import type { EventAction, SecurityEvent } from '../events/securityEvent.js';
import { unplacedJson } from '../events/unplacedJson.js';
import { eventColumns, eventKey } from '../store/encodedEvent.js';
import { eventPlace, hashText } from './lineCore.js';

/** Where each value of a hit sits among its `WIDTH` in `HitList`. */
const INDEX = 0;
const LINE_KEY = 1;
const FIRST_KEY = 2;
const TS = 3;
const ACTION = 4;
const SOURCE_IP = 5;
const THREAT_ID = 6;
const RULE_ID = 7;
/** Byte offsets in the docs buffer: the document's start, its id's value, what follows the id, and where the line number goes. */
const DOC_AT = 8;
const ID_AT = 9;
const MIDDLE_AT = 10;
const LINE_AT = 11;
const WIDTH = 12;

/** The flat list: `WIDTH` values per hit, hits in line order. */
export type HitList = Array<string | number | null>;

/** Bytes left after each document for its line number and closing braces (16 digits hold any safe integer). */
const LINE_ROOM = 20;
const FIRST_DOCS_BYTES = 64 * 1024;

/** A threat line made ready by a worker, read back from a `HitList` and its docs. */
export interface Hit {
  /** The line's index in its batch. */
  readonly index: number;
  /** hashText of the line: its content, counted per file for the occurrence. */
  readonly lineKey: string;
  /** The store key for the first occurrence of the line in a file of the batch's identity. */
  readonly firstKey: number;
  readonly ts: number;
  readonly action: EventAction;
  readonly sourceIp: string;
  readonly threatId: string | null;
  readonly ruleId: string | null;
  /** Offsets in the docs: the document, its id's value (a JSON string), the rest, and the end of `"line":`. */
  readonly docAt: number;
  readonly idAt: number;
  readonly middleAt: number;
  readonly lineAt: number;
}

/** A batch's hits as a worker writes them: the list, and the documents in a buffer that grows. */
export class HitWriter {
  readonly list: HitList = [];
  #docs: Buffer | null = null;
  #used = 0;

  constructor(
    /** The file's identity the first occurrences are placed with. */
    private readonly identity: string,
    /** `JSON.stringify` of the file's label, as `bansho.origin.file`. */
    private readonly fileJson: string,
  ) {}

  /** Append a threat line's event (made without a place), placed as its content's first occurrence in the file. */
  push(index: number, line: string, event: SecurityEvent): void {
    const lineKey = hashText(line);
    const firstId = eventPlace(this.identity, 1, lineKey, '', 0).id;
    const c = eventColumns(event);
    const json = unplacedJson(event);
    const docAt = this.#used;
    const idAt = this.#write(json.head);
    const middleAt = this.#write(JSON.stringify(firstId));
    this.#write(json.middle);
    this.#write('{"file":');
    this.#write(this.fileJson);
    const lineAt = this.#write(',"line":');
    this.#used += LINE_ROOM;
    this.list.push(index, lineKey, eventKey(firstId), c.ts, c.action, c.sourceIp, c.threatId, c.ruleId);
    this.list.push(docAt, idAt, middleAt, lineAt);
  }

  /** The documents written (a buffer of its own, to transfer), or null with no hit. */
  docs(): Uint8Array | null {
    return this.#docs === null ? null : this.#docs.subarray(0, this.#used);
  }

  /** `text` as UTF-8 at the end of the docs; the end's offset after it. */
  #write(text: string): number {
    // A UTF-16 code unit is at most 3 bytes of UTF-8; the room for the line number stays free.
    const need = this.#used + text.length * 3 + LINE_ROOM;
    if (this.#docs === null || need > this.#docs.length) {
      // allocUnsafeSlow: a buffer of its own (not a slice of Node's pool), so it can be transferred.
      const larger = Buffer.allocUnsafeSlow(Math.max(FIRST_DOCS_BYTES, need, 2 * (this.#docs?.length ?? 0)));
      this.#docs?.copy(larger, 0, 0, this.#used);
      this.#docs = larger;
    }
    this.#used += this.#docs.write(text, this.#used, 'utf8');
    return this.#used;
  }
}

/** How many hits `list` holds. */
export function hitCount(list: HitList): number {
  return list.length / WIDTH;
}

/** The line index of hit `h` (without reading the rest). */
export function hitIndex(list: HitList, h: number): number {
  return list[h * WIDTH + INDEX] as number;
}

/** Hit `h` of `list`. */
export function readHit(list: HitList, h: number): Hit {
  const at = h * WIDTH;
  return {
    index: list[at + INDEX] as number,
    lineKey: list[at + LINE_KEY] as string,
    firstKey: list[at + FIRST_KEY] as number,
    ts: list[at + TS] as number,
    action: list[at + ACTION] as EventAction,
    sourceIp: list[at + SOURCE_IP] as string,
    threatId: list[at + THREAT_ID] as string | null,
    ruleId: list[at + RULE_ID] as string | null,
    docAt: list[at + DOC_AT] as number,
    idAt: list[at + ID_AT] as number,
    middleAt: list[at + MIDDLE_AT] as number,
    lineAt: list[at + LINE_AT] as number,
  };
}

/**
 * The hit's document placed at `lineNo` as its content's first occurrence: the line number and
 * closing braces written into the room after it (each hit's room is its own), then a view.
 */
export function firstPlacedDoc(docs: Buffer, hit: Hit, lineNo: number): Buffer {
  const end = hit.lineAt + docs.write(`${lineNo}}}}`, hit.lineAt, 'latin1');
  return docs.subarray(hit.docAt, end);
}

/** The hit's document with another id (a repeated line, placed by occurrence), at `lineNo`: a copy. */
export function placedDoc(docs: Buffer, hit: Hit, id: string, lineNo: number): Buffer {
  return Buffer.concat([
    docs.subarray(hit.docAt, hit.idAt),
    Buffer.from(JSON.stringify(id), 'latin1'),
    docs.subarray(hit.middleAt, hit.lineAt),
    Buffer.from(`${lineNo}}}}`, 'latin1'),
  ]);
}
