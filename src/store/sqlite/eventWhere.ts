import type { EventFilter } from '../store.js';

/** The WHERE clause of an event query or page (`?` placeholders), with its values in order. */
export function eventWhere(f: Omit<EventFilter, 'limit'>): { where: string; params: unknown[] } {
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
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
