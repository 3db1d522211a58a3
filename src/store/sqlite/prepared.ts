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

/**
 * Run `write` with the connection's busy timeout set to `waitMs`: how long SQLite waits for
 * another process's write lock before SQLITE_BUSY. The gateway's event loop waits with it, so
 * its own writes wait briefly and retry later instead (see defense/banWriteQueue.ts).
 */
export function withBusyTimeout<T>(db: Db, waitMs: number | undefined, write: () => T): T {
  if (waitMs === undefined) return write();
  const previous = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(waitMs))}`);
  try {
    return write();
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}
