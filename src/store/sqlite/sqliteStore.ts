import Database from 'better-sqlite3';
import { type EncodedEvent, encodeEvent } from '../encodedEvent.js';
import type { SecurityEvent } from '../securityEvent.js';
import type { Ban, BanStore, EventQuery, EventStore } from '../types.js';
import { MIGRATIONS } from './schema.js';

type Db = Database.Database;

/** Open (and migrate) a bansho SQLite database in WAL mode. */
export function openSqlite(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

interface EventRow {
  doc: string;
}

/** EventStore on SQLite. Synchronous underneath; the Promise API matches the fleet store. */
export class SqliteEventStore implements EventStore {
  readonly #db: Db;
  readonly #insert: Database.Statement;
  readonly #ownsDb: boolean;

  constructor(db: Db | string) {
    this.#ownsDb = typeof db === 'string';
    this.#db = typeof db === 'string' ? openSqlite(db) : db;
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO events (id, ts, action, source_ip, threat_id, rule_id, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Synchronous append, for callers that batch on their own (the gateway's writer), in one transaction. */
  appendSync(events: readonly SecurityEvent[]): number {
    return this.appendEncodedSync(events.map(encodeEvent));
  }

  /** `appendSync` for events already written out as JSON (see ../encodedEvent.ts). */
  appendEncodedSync(events: readonly EncodedEvent[]): number {
    let added = 0;
    this.#db.transaction(() => {
      for (const e of events)
        added += this.#insert.run(e.id, e.ts, e.action, e.sourceIp, e.threatId, e.ruleId, e.json).changes;
    })();
    return added;
  }

  async append(events: readonly SecurityEvent[]): Promise<number> {
    return this.appendSync(events);
  }

  querySync(query: EventQuery): SecurityEvent[] {
    const { where, params } = buildWhere(query);
    const order = query.newestFirst ? 'DESC' : 'ASC';
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = this.#db
      .prepare(`SELECT doc FROM events ${where} ORDER BY ts ${order}, seq ${order}${limit}`)
      .all(...params) as EventRow[];
    return rows.map((r) => JSON.parse(r.doc) as SecurityEvent);
  }

  async query(query: EventQuery): Promise<SecurityEvent[]> {
    return this.querySync(query);
  }

  async count(query: EventQuery): Promise<number> {
    const { where, params } = buildWhere(query);
    const row = this.#db.prepare(`SELECT count(*) AS n FROM events ${where}`).get(...params) as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) this.#db.close();
  }
}

function buildWhere(q: EventQuery): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (q.since !== undefined) {
    clauses.push('ts >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    clauses.push('ts < ?');
    params.push(q.until);
  }
  if (q.sourceIp !== undefined) {
    clauses.push('source_ip = ?');
    params.push(q.sourceIp);
  }
  if (q.threatId !== undefined) {
    clauses.push('threat_id = ?');
    params.push(q.threatId);
  }
  if (q.actions !== undefined && q.actions.length > 0) {
    clauses.push(`action IN (${q.actions.map(() => '?').join(', ')})`);
    params.push(...q.actions);
  }
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

interface BanRow {
  target: string;
  since: number;
  until: number;
  reason: string;
  threat_id: string | null;
  offence: number;
  origin: 'auto' | 'manual';
}

/** BanStore on SQLite. Every change bumps `bans_version`, which running gateways poll. */
export class SqliteBanStore implements BanStore {
  readonly #db: Db;
  readonly #ownsDb: boolean;

  constructor(db: Db | string) {
    this.#ownsDb = typeof db === 'string';
    this.#db = typeof db === 'string' ? openSqlite(db) : db;
  }

  activeSync(now: number): Ban[] {
    const rows = this.#db.prepare('SELECT * FROM bans WHERE until > ? ORDER BY since').all(now) as BanRow[];
    return rows.map(fromRow);
  }

  async active(now: number): Promise<Ban[]> {
    return this.activeSync(now);
  }

  putSync(ban: Ban): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO bans (target, since, until, reason, threat_id, offence, origin)
           VALUES (@target, @since, @until, @reason, @threatId, @offence, @origin)
           ON CONFLICT (target) DO UPDATE SET since = excluded.since, until = excluded.until,
             reason = excluded.reason, threat_id = excluded.threat_id, offence = excluded.offence,
             origin = excluded.origin`,
        )
        .run(ban);
      this.#db
        .prepare(
          `INSERT INTO offences (target, count, last) VALUES (?, ?, ?)
           ON CONFLICT (target) DO UPDATE SET count = max(count, excluded.count), last = excluded.last`,
        )
        .run(ban.target, ban.offence, ban.since);
      this.#bump();
    })();
  }

  async put(ban: Ban): Promise<void> {
    this.putSync(ban);
  }

  removeSync(target: string): boolean {
    return this.#db.transaction(() => {
      const info = this.#db.prepare('DELETE FROM bans WHERE target = ?').run(target);
      if (info.changes > 0) this.#bump();
      return info.changes > 0;
    })();
  }

  async remove(target: string): Promise<boolean> {
    return this.removeSync(target);
  }

  offencesSync(target: string): number {
    const row = this.#db.prepare('SELECT count FROM offences WHERE target = ?').get(target) as
      | { count: number }
      | undefined;
    return row?.count ?? 0;
  }

  async offences(target: string): Promise<number> {
    return this.offencesSync(target);
  }

  versionSync(): number {
    const row = this.#db.prepare(`SELECT value FROM meta WHERE key = 'bans_version'`).get() as { value: number };
    return row.value;
  }

  async version(): Promise<number> {
    return this.versionSync();
  }

  async close(): Promise<void> {
    if (this.#ownsDb) this.#db.close();
  }

  #bump(): void {
    this.#db.prepare(`UPDATE meta SET value = value + 1 WHERE key = 'bans_version'`).run();
  }
}

function fromRow(r: BanRow): Ban {
  return {
    target: r.target,
    since: r.since,
    until: r.until,
    reason: r.reason,
    threatId: r.threat_id,
    offence: r.offence,
    origin: r.origin,
  };
}
