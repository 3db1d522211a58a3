import type Database from 'better-sqlite3';

type Db = Database.Database;

/** Statements compiled once per connection: a ban or a change-log read runs many times. */
const cache = new WeakMap<Db, Map<string, Database.Statement>>();

export function prepared(db: Db, sql: string): Database.Statement {
  let statements = cache.get(db);
  if (statements === undefined) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

/** The busy timeout each connection was opened with, read once. */
const openedWith = new WeakMap<Db, number>();

/** A cached statement per value: db.pragma() would compile one on every call (four per ban). */
function setBusyTimeout(db: Db, ms: number): void {
  prepared(db, `PRAGMA busy_timeout = ${ms}`).get();
}

/**
 * Run `write` with the connection's busy timeout set to `waitMs`: how long SQLite waits for
 * another process's write lock before SQLITE_BUSY. The gateway's event loop waits with it, so
 * its own writes wait briefly and retry later instead (see defense/banWriteQueue.ts).
 */
export function withBusyTimeout<T>(db: Db, waitMs: number | undefined, write: () => T): T {
  if (waitMs === undefined) return write();
  let previous = openedWith.get(db);
  if (previous === undefined) {
    previous = db.pragma('busy_timeout', { simple: true }) as number;
    openedWith.set(db, previous);
  }
  const wait = Math.max(0, Math.floor(waitMs));
  if (wait === previous) return write();
  setBusyTimeout(db, wait);
  try {
    return write();
  } finally {
    setBusyTimeout(db, previous);
  }
}
