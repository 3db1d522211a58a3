import * as crypto from 'node:crypto';
import type { EventAction, SecurityEvent } from '../events/securityEvent.js';

/**
 * A SecurityEvent as the store keeps it: the columns it indexes and the JSON document. Producers
 * that already hold the JSON (a log analysed on worker threads sends it as text) hand this to
 * the store without building the event object again.
 */
export interface EncodedEvent {
  /** `eventKey(event.id)`: with `ts`, what makes a stored event unique (appends are idempotent by it). */
  readonly key: number;
  /** `@timestamp`, ms since the epoch. */
  readonly ts: number;
  readonly action: EventAction;
  readonly sourceIp: string;
  readonly threatId: string | null;
  readonly ruleId: string | null;
  /** `JSON.stringify` of the event, stored and read back as it is. */
  readonly json: string;
  /** The same JSON as UTF-8, when the producer holds it as bytes (then the store binds these, not `json`). */
  readonly doc?: Uint8Array;
}

/**
 * An EncodedEvent whose JSON is bytes (a log analysed on worker threads: ../logs/batchHits.ts):
 * stored from the bytes, the text decoded only if asked for (`--json` printing, a fleet store).
 */
export class DocEvent implements EncodedEvent {
  readonly ts: number;
  readonly action: EventAction;
  readonly sourceIp: string;
  readonly threatId: string | null;
  readonly ruleId: string | null;

  constructor(
    readonly key: number,
    columns: EventColumns,
    readonly doc: Uint8Array,
  ) {
    this.ts = columns.ts;
    this.action = columns.action;
    this.sourceIp = columns.sourceIp;
    this.threatId = columns.threatId;
    this.ruleId = columns.ruleId;
  }

  get json(): string {
    return Buffer.from(this.doc.buffer, this.doc.byteOffset, this.doc.byteLength).toString('utf8');
  }
}

/** The columns the store indexes, but the key. */
export type EventColumns = Omit<EncodedEvent, 'key' | 'json' | 'doc'>;

export function encodeEvent(event: SecurityEvent): EncodedEvent {
  return { key: eventKey(event.event.id), ...eventColumns(event), json: JSON.stringify(event) };
}

export function eventColumns(event: SecurityEvent): EventColumns {
  return {
    ts: Date.parse(event['@timestamp']),
    action: event.event.action,
    sourceIp: event.source.ip,
    threatId: event.threat?.software?.id ?? null,
    ruleId: event.rule?.id ?? null,
  };
}

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
/** `crypto.hash` (Node ≥ 20.12): a one-shot digest at a fraction of createHash's cost per call. */
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/** Hex digits of the MD5 the key is read from: 52 bits, an exact JS number and a positive int64. */
export const EVENT_KEY_HEX_DIGITS = 13;

/**
 * An event's key: the first 52 bits of the MD5 of its id (UTF-8). Stored as an integer beside
 * the event's time, (ts, key) unique, in place of the id's text: an 8-byte key in the unique
 * index instead of a 22–36 character string. Two different events collide only with the same
 * millisecond and the same 52 bits. PostgreSQL computes the same value in SQL (`eventKeySql`)
 * to migrate rows written before keys.
 */
export function eventKey(id: string): number {
  const hex =
    oneShot !== undefined ? oneShot('md5', id, 'hex') : crypto.createHash('md5').update(id, 'utf8').digest('hex');
  return Number.parseInt(hex.slice(0, EVENT_KEY_HEX_DIGITS), 16);
}

/** `eventKey` of a text column, in PostgreSQL's SQL. */
export function eventKeySql(column: string): string {
  return `('x' || substr(md5(${column}), 1, ${EVENT_KEY_HEX_DIGITS}))::bit(${EVENT_KEY_HEX_DIGITS * 4})::bigint`;
}
