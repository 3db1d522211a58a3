import type Database from 'better-sqlite3';
import { openSqlite } from './openSqlite.js';
import { SpillFile } from './spill.js';

type Db = Database.Database;

/**
 * What the SQLite event and ban stores share: the connection they work on — opened from a path
 * (then theirs, closed with them) or lent by the caller (who closes it) — and the spill file
 * beside its database.
 */
export abstract class SqliteStoreBase {
  /** Where records that could not be written are kept (null for an in-memory database). */
  readonly spill: SpillFile | null;
  protected readonly db: Db;
  readonly #ownsDb: boolean;

  constructor(db: Db | string) {
    this.#ownsDb = typeof db === 'string';
    this.db = typeof db === 'string' ? openSqlite(db) : db;
    this.spill = this.db.memory ? null : new SpillFile(this.db.name);
  }

  async close(): Promise<void> {
    if (this.#ownsDb) this.db.close();
  }
}
