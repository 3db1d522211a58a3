import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { eventKey } from '../encodedEvent.js';
import { MIGRATIONS } from './schema.js';
import { replayOrphanedSpills } from './spill.js';

type Db = Database.Database;

export interface OpenOptions {
  /** Where a replay of spilled records is reported (default: stderr). */
  readonly log?: (line: string) => void;
  /**
   * How long a write waits for another process's write lock (default 5 s). A process that
   * writes on its event loop (the gateway) opens with a short one: the loop waits with it.
   */
  readonly busyTimeoutMs?: number;
}

/**
 * Open (and migrate) a bansho SQLite database in WAL mode. A new file is created with mode
 * 0600 before SQLite opens it: it holds attackers' request lines and the site's traffic, and
 * SQLite gives the -wal and -shm files the database file's mode. An existing file keeps its
 * mode. Spill files left by processes that are gone are replayed into it (see spill.ts).
 */
export function openSqlite(file: string, options: OpenOptions = {}): Db {
  const onDisk = file !== '' && file !== ':memory:';
  if (onDisk) createPrivately(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  if (onDisk) replaySpills(db, file, options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  if (options.busyTimeoutMs !== undefined)
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  return db;
}

function createPrivately(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch {
    // It exists (keeps its mode), or cannot be created: SQLite reports that in its own words.
  }
}

/** Immediate, and the version read inside: two processes opening a new file at once migrate once. */
function migrate(db: Db): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= MIGRATIONS.length) return;
  db.function('bansho_event_key', { deterministic: true }, (id: unknown) => eventKey(String(id)));
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function replaySpills(db: Db, file: string, log: (line: string) => void): void {
  for (const r of replayOrphanedSpills(db, file)) {
    if ('error' in r)
      log(`bansho: spilled records in ${r.file} not replayed yet (kept for the next open): ${String(r.error)}`);
    else
      log(
        `bansho: replayed ${r.records} spilled record(s) from ${r.file} into the store${r.unreadable > 0 ? ` (${r.unreadable} unreadable line(s) skipped)` : ''}`,
      );
  }
}
