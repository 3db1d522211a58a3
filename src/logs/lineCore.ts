import * as crypto from 'node:crypto';
import { type RequestSignal, requestSignal } from '../detect/behaviour/httpBehaviour.js';
import { PlainLine } from '../detect/plainLine.js';
import { type RememberingEngine, type RequestMemo, remembers } from '../detect/requestMemo.js';
import type { Engine, Match } from '../detect/types.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { QUOTED_LINE_CHARS, toEvent } from '../events/toEvent.js';
import { requestClient, type TrustedProxy } from '../observe/forwardedClient.js';
import type { HttpObservation } from '../observe/observation.js';
import type { LogFormat, LogRecord } from './record.js';
import { recordKey } from './recordKey.js';
import { observationFromRecord } from './toObservation.js';

/** Where a log-sourced event sits: its id and the file and line it came from. */
export interface EventPlace {
  readonly id: string;
  readonly origin: { readonly file: string; readonly line: number };
}

/** A request a behaviour counted, with the log line it came from (the evidence). */
export interface LoggedSignal extends RequestSignal {
  /** The line, cut as a threat line's evidence is (QUOTED_LINE_CHARS). */
  readonly line: string;
}

/** What became of one line. */
export type LineOutcome =
  | { kind: 'blank' }
  | { kind: 'garbage' }
  | { kind: 'no-request' }
  | { kind: 'clean'; observation: HttpObservation }
  /** Cleared before parsing: no rule can match it and no behaviour counts it. */
  | { kind: 'cleared' }
  | { kind: 'threat'; observation: HttpObservation; matches: readonly Match[] };

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
 * With `memo` (one per engine), a request seen before is neither built nor judged again by
 * the rules that read nothing else (../detect/requestMemo.ts).
 */
export function analyzeLine(
  line: string,
  format: LogFormat,
  engine: Engine,
  fallbackTime: number,
  trusted: TrustedProxy | null,
  memo: RequestMemo | null = null,
): LineOutcome {
  if (line.length === 0 || (line.length < 3 && line.trim() === '')) return { kind: 'blank' };
  // Cheap before costly: most lines are cleared from their raw text, and never parsed.
  if (format.plain !== undefined && engine.mayMatchLine !== undefined && format.plain(line, plainLine(trusted)))
    if (!behaviourMayCount(PLAIN) && !engine.mayMatchLine(PLAIN)) return CLEARED;
  const record = format.parse(line);
  if (record === null) return { kind: 'garbage' };
  // No request arrived, so the gateway would have built no Observation either.
  if (record.requestLine === '') return { kind: 'no-request' };
  if (memo !== null && remembers(engine)) return judgeRemembered(record, engine, fallbackTime, trusted, memo);
  const observation = observationFromRecord(record, fallbackTime, trusted);
  // Nearly every line is plain and harmless: the engine's cheap test says so for a fraction of `match`.
  if (engine.mayMatch?.(observation) === false) return { kind: 'clean', observation };
  const matches = engine.match(observation);
  return matches.length === 0 ? { kind: 'clean', observation } : { kind: 'threat', observation, matches };
}

/** analyzeLine's judgement of a parsed line through `memo`: `match`'s answer, the request's own rules run once per request. */
function judgeRemembered(
  record: LogRecord,
  engine: RememberingEngine,
  fallbackTime: number,
  trusted: TrustedProxy | null,
  memo: RequestMemo,
): LineOutcome {
  const key = recordKey(record);
  const seen = memo.get(key);
  const observation = observationFromRecord(record, fallbackTime, trusted, seen?.request);
  const matches = memo.match(engine, key, seen, observation);
  return matches.length === 0 ? { kind: 'clean', observation } : { kind: 'threat', observation, matches };
}

const CLEARED: LineOutcome = { kind: 'cleared' };

/** The raw-line gate's scratch: one per thread, as lines are analysed one at a time. */
const PLAIN = new PlainLine();
let plainTrusted: TrustedProxy | null = null;

function plainLine(trusted: TrustedProxy | null): PlainLine {
  if (trusted !== plainTrusted) {
    plainTrusted = trusted;
    // A logged CLF line carries no X-Forwarded-For: its source is what requestClient makes of the peer alone.
    PLAIN.source = trusted === null ? null : (peer) => requestClient(peer, [], trusted);
  }
  return PLAIN;
}

/**
 * Whether the behaviours may count the request (isBehaviourCandidate, read from the raw line):
 * an error status, a POST or an `author=` query. True for a superset of what they count.
 */
function behaviourMayCount(p: PlainLine): boolean {
  const s = p.status;
  if (s === 400 || s === 401 || s === 403 || s === 404 || p.text.startsWith('POST', p.lineFrom)) return true;
  const author = p.text.indexOf('author=', p.lineFrom);
  return author >= 0 && author < p.lineTo;
}

/** A request's signal for the behaviours (../detect/behaviour/), or null when none counts it. */
export function loggedSignal(line: string, observation: HttpObservation): LoggedSignal | null {
  const signal = requestSignal(observation, observation.status);
  return signal && { ...signal, line: line.length > QUOTED_LINE_CHARS ? line.slice(0, QUOTED_LINE_CHARS) : line };
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
 * The event for a threat line, the whole line its evidence (as the admin would quote it), at its
 * place (`eventPlace`). A worker, which does not know the place, writes the same event's JSON
 * without the object (./threatJson.ts); the reading thread places it (./batchHits.ts).
 */
export function threatEvent(
  line: string,
  observation: HttpObservation,
  matches: readonly Match[],
  threatName: ((id: string) => string | undefined) | undefined,
  place: EventPlace,
): SecurityEvent {
  return toEvent(matches, {
    seen: 'observation',
    observation,
    evidence: line,
    action: 'detected',
    sensor: 'logs',
    threatName,
    id: place.id,
    origin: place.origin,
  });
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
