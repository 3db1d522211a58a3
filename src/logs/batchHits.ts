/**
 * A batch's threat lines as a worker hands them back (./batch.ts): one flat array of strings
 * and numbers, so many values per hit and no object — a structured clone of an object per hit
 * (and of its columns and JSON pieces) was the reading thread's largest cost after SQLite on an
 * attack-heavy log, and its garbage the next. The worker also places each event as if its line
 * were the first of its content in the file (what nearly every threat line is): its id and store
 * key come made, and the reading thread only hashes again for a repeated line.
 */
import type { EventAction, SecurityEvent } from '../events/securityEvent.js';
import { unplacedJson } from '../events/unplacedJson.js';
import { eventColumns, eventKey } from '../store/encodedEvent.js';
import { eventPlace, hashText } from './lineCore.js';

/** Where each value of a hit sits among its `WIDTH` in `HitList`. */
const INDEX = 0;
const LINE_KEY = 1;
const FIRST_ID = 2;
const FIRST_KEY = 3;
const TS = 4;
const ACTION = 5;
const SOURCE_IP = 6;
const THREAT_ID = 7;
const RULE_ID = 8;
const HEAD = 9;
const MIDDLE = 10;
const WIDTH = 11;

/** The flat list: `WIDTH` values per hit, hits in line order. */
export type HitList = Array<string | number | null>;

/** A threat line made ready by a worker, read back from a `HitList`. */
export interface Hit {
  /** The line's index in its batch. */
  readonly index: number;
  /** hashText of the line: its content, counted per file for the occurrence. */
  readonly lineKey: string;
  /** The event's id and store key for the first occurrence of the line in a file of `identity`. */
  readonly firstId: string;
  readonly firstKey: number;
  readonly ts: number;
  readonly action: EventAction;
  readonly sourceIp: string;
  readonly threatId: string | null;
  readonly ruleId: string | null;
  /** The event's JSON up to its id's value, and from after it up to `bansho.origin`'s value (../events/unplacedJson.ts). */
  readonly head: string;
  readonly middle: string;
}

/** Append a threat line's event (made without a place) to `list`, placed for the first occurrence in a file of `identity`. */
export function pushHit(list: HitList, index: number, line: string, event: SecurityEvent, identity: string): void {
  const lineKey = hashText(line);
  const firstId = eventPlace(identity, 1, lineKey, '', 0).id;
  const c = eventColumns(event);
  const json = unplacedJson(event);
  list.push(
    index,
    lineKey,
    firstId,
    eventKey(firstId),
    c.ts,
    c.action,
    c.sourceIp,
    c.threatId,
    c.ruleId,
    json.head,
    json.middle,
  );
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
    firstId: list[at + FIRST_ID] as string,
    firstKey: list[at + FIRST_KEY] as number,
    ts: list[at + TS] as number,
    action: list[at + ACTION] as EventAction,
    sourceIp: list[at + SOURCE_IP] as string,
    threatId: list[at + THREAT_ID] as string | null,
    ruleId: list[at + RULE_ID] as string | null,
    head: list[at + HEAD] as string,
    middle: list[at + MIDDLE] as string,
  };
}

/**
 * The event's JSON once placed, as `placedJson` writes it (`origin` is `{file, line}`), made
 * flat: one join rather than a concatenation, whose rope SQLite's binding walks slowly (about
 * 5 µs more per 1.3 KB event, measured).
 */
export function joinPlacedJson(head: string, id: string, middle: string, fileJson: string, line: number): string {
  return [head, JSON.stringify(id), middle, '{"file":', fileJson, ',"line":', String(line), '}}}'].join('');
}
