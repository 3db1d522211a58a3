import type Database from 'better-sqlite3';
import type { Ban } from '../types.js';
import { prepared } from './prepared.js';

type Db = Database.Database;

/**
 * Every write to the ban list, each with its row in `ban_changes` in the same transaction, so
 * a reader that applies the log after its cursor sees exactly what the table holds.
 */

const UPSERT_BAN = `INSERT INTO bans (target, since, until, reason, threat_id, offence, origin)
  VALUES (@target, @since, @until, @reason, @threatId, @offence, @origin)
  ON CONFLICT (target) DO UPDATE SET since = excluded.since, until = excluded.until,
    reason = excluded.reason, threat_id = excluded.threat_id, offence = excluded.offence,
    origin = excluded.origin`;
const UPSERT_OFFENCES = `INSERT INTO offences (target, count, last) VALUES (?, ?, ?)
  ON CONFLICT (target) DO UPDATE SET count = max(count, excluded.count), last = excluded.last`;
const LOG_CHANGE = 'INSERT INTO ban_changes (target, kind, until, at) VALUES (?, ?, ?, ?)';

/** Put bans (insert or replace by target), in one immediate transaction. */
export function putBans(db: Db, bans: readonly Ban[], now = Date.now()): void {
  const upsert = prepared(db, UPSERT_BAN);
  const offences = prepared(db, UPSERT_OFFENCES);
  const log = prepared(db, LOG_CHANGE);
  // Immediate: take the write lock up front, so a busy database fails here, before any work.
  db.transaction(() => {
    for (const ban of bans) {
      upsert.run(ban);
      offences.run(ban.target, ban.offence, ban.since);
      log.run(ban.target, 'put', ban.until, now);
    }
  }).immediate();
}

/** Lift the ban on `target`; false when there was none. */
export function removeBan(db: Db, target: string, now = Date.now()): boolean {
  return db
    .transaction(() => {
      const removed = prepared(db, 'DELETE FROM bans WHERE target = ?').run(target).changes > 0;
      if (removed) prepared(db, LOG_CHANGE).run(target, 'remove', 0, now);
      return removed;
    })
    .immediate();
}
