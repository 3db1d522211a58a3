import * as crypto from 'node:crypto';
import { requestSignal } from '../detect/behaviour/httpBehaviour.js';
import type { Engine, Match } from '../detect/types.js';
import { eventFromObservation } from '../events/fromObservation.js';
import type { TrustedProxy } from '../observe/forwardedClient.js';
import type { HttpObservation } from '../observe/observation.js';
import { type EncodedEvent, encodeEvent } from '../store/encodedEvent.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { LoggedSignal } from './behaviourEvent.js';
import type { EventPlace } from './eventPlace.js';
import type { LogFormat } from './record.js';
import { observationFromRecord } from './toObservation.js';

/** What became of one line. */
export type LineOutcome =
  | { kind: 'blank' }
  | { kind: 'garbage' }
  | { kind: 'no-request' }
  | { kind: 'clean'; observation: HttpObservation }
  | { kind: 'threat'; observation: HttpObservation; matches: Match[] };

/** Line counts, as a batch reply and an analysis keep them. */
export interface LineCounts {
  parsed: number;
  blank: number;
  garbage: number;
  /** Lines whose request line is `-`. */
  noRequest: number;
  /** The first few garbage lines (cut to 200 characters), to show what did not parse. */
  readonly garbageSamples: string[];
}

export const GARBAGE_SAMPLES = 5;

/** A log line kept as evidence is cut to this many characters. */
const EVIDENCE_CHARS = 1024;

/** Count one line by its outcome (the caller counts lines themselves). */
export function countOutcome(counts: LineCounts, outcome: LineOutcome, line: string): void {
  switch (outcome.kind) {
    case 'blank':
      counts.blank++;
      return;
    case 'garbage':
      counts.garbage++;
      if (counts.garbageSamples.length < GARBAGE_SAMPLES) counts.garbageSamples.push(line.slice(0, 200));
      return;
    case 'no-request':
      counts.noRequest++;
      counts.parsed++;
      return;
    default:
      counts.parsed++;
  }
}

/**
 * One line through the pipeline, with no per-file state: parse, build the gateway's
 * Observation, run the engine. Shared by the in-process analyzer and its worker threads.
 */
export function analyzeLine(
  line: string,
  format: LogFormat,
  engine: Engine,
  fallbackTime: number,
  trusted: TrustedProxy | null,
): LineOutcome {
  if (line.length === 0 || (line.length < 3 && line.trim() === '')) return { kind: 'blank' };
  const record = format.parse(line);
  if (record === null) return { kind: 'garbage' };
  // No request arrived, so the gateway would have built no Observation either.
  if (record.requestLine === '') return { kind: 'no-request' };
  const observation = observationFromRecord(record, fallbackTime, trusted);
  // Nearly every line is plain and harmless: the engine's cheap test says so for a fraction of `match`.
  if (engine.mayMatch?.(observation) === false) return { kind: 'clean', observation };
  const matches = engine.match(observation);
  return matches.length === 0 ? { kind: 'clean', observation } : { kind: 'threat', observation, matches };
}

/** A request's signal for the behaviours (../detect/behaviour/), or null when none counts it. */
export function loggedSignal(line: string, observation: HttpObservation): LoggedSignal | null {
  const signal = requestSignal(observation, observation.status);
  return signal && { ...signal, line: line.length > EVIDENCE_CHARS ? line.slice(0, EVIDENCE_CHARS) : line };
}

/**
 * Where a behaviour finding sits: at the line that made its bucket overflow. The id derives from
 * the file's identity, the behaviour and that line's number: the same file read again fills the
 * same buckets in the same order, so re-imports add nothing twice.
 */
export function findingPlace(fileIdentity: string, ruleId: string, file: string, lineNo: number): EventPlace {
  return { id: hashText(`logs\n${fileIdentity}\n${ruleId}\n${lineNo}`, 22), origin: { file, line: lineNo } };
}

/**
 * The event for a threat line, before it knows its place in the file: `event.id` and
 * `bansho.origin` are filled in by whoever counts lines and occurrences (`eventPlace`).
 */
export function threatEvent(
  line: string,
  observation: HttpObservation,
  matches: readonly Match[],
  threatName: ((id: string) => string | undefined) | undefined,
): SecurityEvent {
  // No dedupKey: the id is placeEvent's to give, so hashing a placeholder here would be wasted.
  const event = eventFromObservation(observation, matches, {
    action: 'detected',
    sensor: 'logs',
    ...(threatName ? { threatName } : {}),
  });
  // For a log, the whole line is the evidence, as the admin would quote it.
  event.bansho.evidence = line.length > EVIDENCE_CHARS ? line.slice(0, EVIDENCE_CHARS) : line;
  return event;
}

/**
 * A threat line's place: the id derives from the file's identity, the line's content and which
 * occurrence of that content in the file it is, so re-imports add nothing twice.
 */
export function eventPlace(
  fileIdentity: string,
  occurrence: number,
  lineKey: string,
  file: string,
  lineNo: number,
): EventPlace {
  return { id: hashText(`logs\n${fileIdentity}\n${occurrence}\n${lineKey}`, 22), origin: { file, line: lineNo } };
}

/** Fill in an event's place (`threatEvent` leaves it empty). */
export function placeEvent(event: SecurityEvent, place: EventPlace): void {
  event.event.id = place.id;
  event.bansho.origin = place.origin;
}

/**
 * An unplaced event, encoded with holes where `placeEvent` writes: an empty id and an empty
 * origin in its JSON. A worker sends this; the main thread fills the holes in the text itself
 * (`placedJson`) rather than parse the event and write it out again.
 */
export function unplacedEncoded(event: SecurityEvent): EncodedEvent {
  placeEvent(event, { id: '', origin: { file: '', line: 0 } });
  return encodeEvent(event);
}

/*
 * Both holes contain `{"` (a quote not preceded by a backslash), which JSON text can only have
 * outside strings: whatever a logged line says, the first match is the hole itself.
 */
const ID_HOLE = '"event":{"id":""';
const ORIGIN_HOLE = '"origin":{"file":"","line":0}';

/**
 * `JSON.stringify(event)` for an event of `unplacedEncoded` once placed: the text with its
 * id and origin filled in, without the event object.
 */
export function placedJson(unplaced: string, place: EventPlace): string {
  const id = unplaced.indexOf(ID_HOLE);
  const origin = id < 0 ? -1 : unplaced.indexOf(ORIGIN_HOLE, id);
  if (origin < 0) throw new Error('placedJson: not the JSON of unplacedEncoded');
  const idEnd = id + ID_HOLE.length;
  return `${unplaced.slice(0, idEnd - 2)}${JSON.stringify(place.id)}${unplaced.slice(idEnd, origin)}"origin":${JSON.stringify(place.origin)}${unplaced.slice(origin + ORIGIN_HOLE.length)}`;
}

/** SHA-256 of the text's latin1 bytes, base64url, cut to `length`. */
export function hashText(text: string, length = 16): string {
  return sha256Latin1(text).slice(0, length);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: any character outside ASCII is what we look for
const NON_ASCII = /[^\x00-\x7f]/;
type OneShotHash = (algorithm: string, data: string | Buffer, encoding: 'base64url') => string;
/** `crypto.hash` (Node ≥ 20.12): a one-shot digest at a fraction of createHash's cost per call. */
const oneShot = (crypto as { hash?: OneShotHash }).hash;

function sha256Latin1(text: string): string {
  if (oneShot === undefined) return crypto.createHash('sha256').update(text, 'latin1').digest('base64url');
  // A string is hashed as UTF-8, which for ASCII text is its latin1 bytes; other text goes as bytes.
  return oneShot('sha256', NON_ASCII.test(text) ? Buffer.from(text, 'latin1') : text, 'base64url');
}
