import { createHash } from 'node:crypto';
import type { Engine, Match } from '../detect/types.js';
import { eventFromObservation } from '../events/fromObservation.js';
import type { HttpObservation } from '../observe/observation.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { LogFormat } from './record.js';
import { observationFromRecord } from './toObservation.js';

/** What became of one line. */
export type LineOutcome =
  | { kind: 'blank' }
  | { kind: 'garbage' }
  | { kind: 'no-request' }
  | { kind: 'clean' }
  | { kind: 'threat'; observation: HttpObservation; matches: Match[] };

/**
 * One line through the pipeline, with no per-file state: parse, build the gateway's
 * Observation, run the engine. Shared by the in-process analyzer and its worker threads.
 */
export function analyzeLine(line: string, format: LogFormat, engine: Engine, fallbackTime: number): LineOutcome {
  if (line.length === 0 || (line.length < 3 && line.trim() === '')) return { kind: 'blank' };
  const record = format.parse(line);
  if (record === null) return { kind: 'garbage' };
  // No request arrived, so the gateway would have built no Observation either.
  if (record.requestLine === '') return { kind: 'no-request' };
  const observation = observationFromRecord(record, fallbackTime);
  const matches = engine.match(observation);
  return matches.length === 0 ? { kind: 'clean' } : { kind: 'threat', observation, matches };
}

/**
 * The event for a threat line, before it knows its place in the file: `event.id` and
 * `bansho.origin` are filled in by whoever counts lines and occurrences (`placeEvent`).
 */
export function threatEvent(
  line: string,
  observation: HttpObservation,
  matches: readonly Match[],
  threatName: ((id: string) => string | undefined) | undefined,
): SecurityEvent {
  const event = eventFromObservation(observation, matches, {
    action: 'detected',
    sensor: 'logs',
    ...(threatName ? { threatName } : {}),
    dedupKey: 'unplaced',
  });
  // For a log, the whole line is the evidence, as the admin would quote it.
  event.bansho.evidence = line.length > 1024 ? line.slice(0, 1024) : line;
  return event;
}

/**
 * Give an event its content-derived id — file identity, the line's content, and which
 * occurrence of that content in the file it is — so re-imports add nothing twice.
 */
export function placeEvent(
  event: SecurityEvent,
  fileIdentity: string,
  occurrence: number,
  lineKey: string,
  file: string,
  lineNo: number,
): void {
  event.event.id = hashText(`logs\n${fileIdentity}\n${occurrence}\n${lineKey}`, 22);
  event.bansho.origin = { file, line: lineNo };
}

export function hashText(text: string, length = 16): string {
  return createHash('sha256').update(text, 'latin1').digest('base64url').slice(0, length);
}
