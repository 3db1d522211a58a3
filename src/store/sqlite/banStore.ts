import { type BanRow, banFromRow } from '../banRow.js';
import type { Ban, BanChanges, BanStore } from '../types.js';
import { latestChange, readChanges, readSnapshot } from './banChanges.js';
import { putBans, removeBan } from './banWrites.js';
import { prepared, withBusyTimeout } from './prepared.js';
import { SqliteStoreBase } from './sqliteStoreBase.js';

export interface PutOptions {
  /** How long to wait for another process's write lock before SQLITE_BUSY (default: the connection's). */
  readonly waitMs?: number;
}

/** A page of the bans in force, in the order `bans list` shows them (oldest first). */
export interface ActivePage {
  readonly offset?: number;
  /** 0 or absent: every ban from the offset on. */
  readonly limit?: number;
}

/**
 * BanStore on SQLite. Every change is logged in `ban_changes` in its own transaction, so
 * running gateways apply changes after their cursor (see banChanges.ts) instead of reloading.
 */
export class SqliteBanStore extends SqliteStoreBase implements BanStore {
  activeSync(now: number): Ban[] {
    return [...this.iterateActive(now)];
  }

  /** The bans in force, one at a time (a list of a million need not be held at once). */
  *iterateActive(now: number, page: ActivePage = {}): IterableIterator<Ban> {
    const limit = page.limit !== undefined && page.limit > 0 ? Math.floor(page.limit) : -1;
    const offset = Math.max(0, Math.floor(page.offset ?? 0));
    const rows = this.db
      .prepare('SELECT * FROM bans WHERE until > ? ORDER BY since, target LIMIT ? OFFSET ?')
      .iterate(now, limit, offset) as IterableIterator<BanRow>;
    for (const row of rows) yield banFromRow(row);
  }

  /** The ban in force on exactly this target, or null. */
  activeOnSync(target: string, now: number): Ban | null {
    const row = prepared(this.db, 'SELECT * FROM bans WHERE target = ? AND until > ?').get(target, now) as
      | BanRow
      | undefined;
    return row ? banFromRow(row) : null;
  }

  countActiveSync(now: number): number {
    return (prepared(this.db, 'SELECT count(*) AS n FROM bans WHERE until > ?').get(now) as { n: number }).n;
  }

  async active(now: number): Promise<Ban[]> {
    return this.activeSync(now);
  }

  /** Insert or replace the ban for `ban.target`; durable when it returns (WAL). */
  putSync(ban: Ban, options: PutOptions = {}): void {
    withBusyTimeout(this.db, options.waitMs, () => putBans(this.db, [ban]));
  }

  /** Many bans in one transaction (imports, benchmarks). */
  putManySync(bans: readonly Ban[]): void {
    putBans(this.db, bans);
  }

  async put(ban: Ban): Promise<void> {
    this.putSync(ban);
  }

  removeSync(target: string): boolean {
    return removeBan(this.db, target);
  }

  async remove(target: string): Promise<boolean> {
    return this.removeSync(target);
  }

  offencesSync(target: string): number {
    const row = prepared(this.db, 'SELECT count FROM offences WHERE target = ?').get(target) as
      | { count: number }
      | undefined;
    return row?.count ?? 0;
  }

  async offences(target: string): Promise<number> {
    return this.offencesSync(target);
  }

  /** The change log's latest seq. */
  versionSync(): number {
    return latestChange(this.db);
  }

  async version(): Promise<number> {
    return this.versionSync();
  }

  /** Every ban in force, as (target, until), with the change-log cursor the snapshot is at. */
  snapshotSync(now: number, add: (target: string, until: number) => void): number {
    return readSnapshot(this.db, now, add);
  }

  /** Up to `limit` changes after `cursor`. */
  changesSync(cursor: number, limit: number): BanChanges {
    return readChanges(this.db, cursor, limit);
  }
}
