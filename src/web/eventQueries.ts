import type Database from 'better-sqlite3';
import type { EventAction, SecurityEvent } from '../events/securityEvent.js';

type Db = Database.Database;

/** One stored event and its place in the store (the cursor pages and the live feed go by). */
export interface StoredEvent {
  readonly seq: number;
  readonly ts: number;
  readonly event: SecurityEvent;
}

export interface EventFilter {
  readonly sourceIp?: string;
  readonly threatId?: string;
  readonly actions?: readonly EventAction[];
  readonly since?: number;
  readonly until?: number;
  /** `ts:seq` of the last event of the previous page: this page starts just before it. */
  readonly before?: { readonly ts: number; readonly seq: number };
  readonly limit: number;
}

/**
 * The reads the dashboard needs beyond EventStore's query: pages by cursor, aggregates by
 * source and threat, the events after a seq (the live feed). Read-only, on the dashboard's own
 * connection to the database, so a slow page never holds up the gateway's writer.
 */
export class EventQueries {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Newest first. */
  page(f: EventFilter): StoredEvent[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]): void => {
      clauses.push(clause);
      params.push(...values);
    };
    if (f.sourceIp !== undefined) add('source_ip = ?', f.sourceIp);
    if (f.threatId !== undefined) add('threat_id = ?', f.threatId);
    if (f.actions && f.actions.length > 0) add(`action IN (${f.actions.map(() => '?').join(', ')})`, ...f.actions);
    if (f.since !== undefined) add('ts >= ?', f.since);
    if (f.until !== undefined) add('ts < ?', f.until);
    if (f.before !== undefined) add('(ts < ? OR (ts = ? AND seq < ?))', f.before.ts, f.before.ts, f.before.seq);
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.#db
      .prepare(`SELECT seq, ts, doc FROM events ${where} ORDER BY ts DESC, seq DESC LIMIT ?`)
      .all(...params, f.limit) as Array<{ seq: number; ts: number; doc: string }>;
    return rows.map(toStored);
  }

  /** Events stored after `seq`, oldest first (the live feed). */
  after(seq: number, limit: number): StoredEvent[] {
    const rows = this.#db
      .prepare('SELECT seq, ts, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(seq, limit) as Array<{ seq: number; ts: number; doc: string }>;
    return rows.map(toStored);
  }

  lastSeq(): number {
    return (this.#db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  }

  /** Events per source since `since` (flows left out: they are traffic, not offences). */
  sourceCounts(since: number, limit: number): Array<{ ip: string; events: number; last: number }> {
    return this.#db
      .prepare(
        `SELECT source_ip AS ip, count(*) AS events, max(ts) AS last FROM events
         WHERE ts >= ? AND action != 'flow' GROUP BY source_ip ORDER BY events DESC, ip LIMIT ?`,
      )
      .all(since, limit) as Array<{ ip: string; events: number; last: number }>;
  }

  /** (threat, time) of every threat event since `since`, oldest first. */
  threatTimes(since: number, threatId?: string): Array<{ threat: string; ts: number }> {
    const only = threatId === undefined ? '' : ' AND threat_id = ?';
    const params = threatId === undefined ? [since] : [since, threatId];
    return this.#db
      .prepare(`SELECT threat_id AS threat, ts FROM events WHERE threat_id IS NOT NULL AND ts >= ?${only} ORDER BY ts`)
      .all(...params) as Array<{ threat: string; ts: number }>;
  }

  countsByAction(since: number): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT action, count(*) AS n FROM events WHERE ts >= ? GROUP BY action')
      .all(since) as Array<{ action: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }

  countFor(sourceIp: string): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM events WHERE source_ip = ?').get(sourceIp) as { n: number }).n;
  }

  total(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }
}

function toStored(r: { seq: number; ts: number; doc: string }): StoredEvent {
  return { seq: r.seq, ts: r.ts, event: JSON.parse(r.doc) as SecurityEvent };
}
