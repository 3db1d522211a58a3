import type Database from 'better-sqlite3';
import type { BanChange, BanChanges } from '../types.js';
import { prepared } from './prepared.js';

type Db = Database.Database;

/**
 * Reading the ban list as a reader that keeps a copy (the gateway's BanManager): a snapshot
 * of the bans in force with the change-log cursor it corresponds to, then the changes after
 * a cursor, a bounded page at a time.
 */

/** The highest seq ever handed out (0 before the first change); never goes back. */
export function latestChange(db: Db): number {
  const row = prepared(db, `SELECT seq FROM sqlite_sequence WHERE name = 'ban_changes'`).get() as
    | { seq: number }
    | undefined;
  return row?.seq ?? 0;
}

/**
 * Hand every ban in force at `now` to `add`, and return the cursor this snapshot is at. One
 * read transaction: the snapshot and the cursor agree, whatever other processes write meanwhile.
 */
export function readSnapshot(db: Db, now: number, add: (target: string, until: number) => void): number {
  // Rows as arrays: a million bans are a million fewer objects to build.
  const rows = db.prepare('SELECT target, until FROM bans WHERE until > ?').raw(true);
  return db.transaction(() => {
    const cursor = latestChange(db);
    for (const row of rows.iterate(now) as IterableIterator<[string, number]>) add(row[0], row[1]);
    return cursor;
  })();
}

/** Up to `limit` changes after `cursor`, oldest first, and how far the log was pruned. */
export function readChanges(db: Db, cursor: number, limit: number): BanChanges {
  return db.transaction(() => {
    const changes = prepared(
      db,
      'SELECT seq, target, kind, until FROM ban_changes WHERE seq > ? ORDER BY seq LIMIT ?',
    ).all(cursor, limit) as BanChange[];
    const pruned = prepared(db, `SELECT value FROM meta WHERE key = 'ban_changes_pruned'`).get() as
      | { value: number }
      | undefined;
    return { changes, prunedThrough: pruned?.value ?? 0 };
  })();
}
