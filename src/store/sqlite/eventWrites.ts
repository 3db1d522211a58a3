import type Database from 'better-sqlite3';
import type { EncodedEvent } from '../encodedEvent.js';
import { prepared } from './prepared.js';

const INSERT_EVENT = `INSERT OR IGNORE INTO events (id, ts, action, source_ip, threat_id, rule_id, doc)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** Append events in one transaction; an id already stored is skipped. Returns how many were new. */
export function insertEvents(db: Database.Database, events: readonly EncodedEvent[]): number {
  const insert = prepared(db, INSERT_EVENT);
  let added = 0;
  db.transaction(() => {
    for (const e of events) added += insert.run(e.id, e.ts, e.action, e.sourceIp, e.threatId, e.ruleId, e.json).changes;
  }).immediate();
  return added;
}
