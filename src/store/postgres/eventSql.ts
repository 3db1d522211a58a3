import type pg from 'pg';
import type { EncodedEvent } from '../encodedEvent.js';
import type { EventQuery } from '../types.js';

/**
 * A batch in one statement: the columns as arrays, unnested. One prepared statement serves
 * every batch size, and nothing is bound per row. An event already stored (same time and key:
 * a journal replayed after an outage) is skipped.
 */
const INSERT = `INSERT INTO events (key, ts, action, source_ip, threat_id, rule_id, observer, doc)
  SELECT key, ts, action, source_ip, threat_id, rule_id, $7, doc
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $8::text[])
    AS e (key, ts, action, source_ip, threat_id, rule_id, doc)
  ON CONFLICT (ts, key) DO NOTHING`;

/** Append events; returns how many were new. */
export async function insertEvents(
  db: pg.Pool | pg.ClientBase,
  events: readonly EncodedEvent[],
  observer: string | null,
): Promise<number> {
  if (events.length === 0) return 0;
  const result = await db.query({
    name: 'bansho-insert-keyed-events',
    text: INSERT,
    values: [
      events.map((e) => e.key),
      events.map((e) => e.ts),
      events.map((e) => e.action),
      events.map((e) => e.sourceIp),
      events.map((e) => e.threatId),
      events.map((e) => e.ruleId),
      observer,
      events.map((e) => e.json),
    ],
  });
  return result.rowCount ?? 0;
}

/** The WHERE clause of an event query, with its values ($1 …). */
export function eventWhere(q: Omit<EventQuery, 'limit' | 'newestFirst'>): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown): void => {
    values.push(value);
    clauses.push(sql(values.length));
  };
  if (q.since !== undefined) add((n) => `ts >= $${n}`, q.since);
  if (q.until !== undefined) add((n) => `ts < $${n}`, q.until);
  if (q.sourceIp !== undefined) add((n) => `source_ip = $${n}`, q.sourceIp);
  if (q.threatId !== undefined) add((n) => `threat_id = $${n}`, q.threatId);
  if (q.actions !== undefined && q.actions.length > 0) add((n) => `action = ANY($${n}::text[])`, [...q.actions]);
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', values };
}
