import type Database from 'better-sqlite3';
import type { EventAction } from '../../events/securityEvent.js';
import type { EncodedEvent } from '../encodedEvent.js';
import type { FleetChange } from '../postgres/banSql.js';
import { latestChange } from '../sqlite/banChanges.js';
import { putBans, removeBan } from '../sqlite/banWrites.js';
import { prepared } from '../sqlite/prepared.js';
import type { Ban } from '../types.js';

type Db = Database.Database;

/**
 * A gateway's local SQLite database in fleet mode: the journal. The gateway writes its events
 * and bans there as it always does (durable before a refusal goes out, never waiting for the
 * network); the fleet link (./fleetLink.ts) ships what is new to PostgreSQL after its cursors,
 * and writes other gateways' bans into it, marked so they are not shipped back. Its tables
 * are the SQLite store's, plus the two below, created here so the embedded store's own
 * migrations stay as they are.
 */
export function prepareJournal(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS fleet_cursor (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    -- Local ban_changes rows written from the fleet's log: not shipped back.
    CREATE TABLE IF NOT EXISTS fleet_inbound (seq INTEGER PRIMARY KEY);
  `);
}

export type CursorName = 'events_sent' | 'bans_sent' | 'bans_received' | 'journal_id';

export function readCursor(db: Db, name: CursorName): number {
  const row = prepared(db, 'SELECT value FROM fleet_cursor WHERE key = ?').get(name) as { value: number } | undefined;
  return row?.value ?? 0;
}

export function writeCursor(db: Db, name: CursorName, value: number): void {
  prepared(
    db,
    'INSERT INTO fleet_cursor (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(name, value);
}

/** Events after the shipped cursor, oldest first, with their journal seq. */
export function unsentEvents(db: Db, limit: number): { events: EncodedEvent[]; last: number } {
  const rows = prepared(
    db,
    'SELECT seq, key, ts, action, source_ip, threat_id, rule_id, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  )
    .raw(true)
    .all(readCursor(db, 'events_sent'), limit) as Array<
    [number, number, number, EventAction, string, string | null, string | null, string]
  >;
  const events = rows.map((r) => ({
    key: r[1],
    ts: r[2],
    action: r[3],
    sourceIp: r[4],
    threatId: r[5],
    ruleId: r[6],
    json: r[7],
  }));
  return { events, last: rows.at(-1)?.[0] ?? 0 };
}

/** How many events wait to be shipped. */
export function eventBacklog(db: Db): number {
  return (
    prepared(db, 'SELECT count(*) AS n FROM events WHERE seq > ?').get(readCursor(db, 'events_sent')) as { n: number }
  ).n;
}

/** A ban change made here (not received from the fleet), as it is shipped. */
export type LocalChange =
  | { readonly seq: number; readonly kind: 'put'; readonly ban: Ban }
  | { readonly seq: number; readonly kind: 'remove'; readonly target: string };

/**
 * This gateway's own ban changes after the shipped cursor, oldest first (`last`: the cursor
 * they bring it to, past the fleet's rows among them). A `put` ships the
 * ban as the table holds it, with the end the change set; a put whose ban is gone (lifted
 * since: its remove row follows) ships nothing but moves the cursor.
 */
export function unsentBanChanges(db: Db, limit: number): { changes: LocalChange[]; last: number } {
  const rows = prepared(
    db,
    `SELECT c.seq, c.target, c.kind, c.until, b.since, b.reason, b.threat_id, b.offence, b.origin,
       EXISTS (SELECT 1 FROM fleet_inbound i WHERE i.seq = c.seq) AS inbound
     FROM ban_changes c LEFT JOIN bans b ON b.target = c.target
     WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
  ).all(readCursor(db, 'bans_sent'), limit) as Array<{
    seq: number;
    target: string;
    kind: 'put' | 'remove';
    until: number;
    since: number | null;
    reason: string | null;
    threat_id: string | null;
    offence: number | null;
    origin: 'auto' | 'manual' | null;
    inbound: number;
  }>;
  const changes: LocalChange[] = [];
  for (const r of rows) {
    if (r.inbound) continue;
    if (r.kind === 'remove') changes.push({ seq: r.seq, kind: 'remove', target: r.target });
    else if (r.since !== null)
      changes.push({
        seq: r.seq,
        kind: 'put',
        ban: {
          target: r.target,
          since: r.since,
          until: r.until,
          reason: r.reason ?? '',
          threatId: r.threat_id,
          offence: r.offence ?? 1,
          origin: r.origin ?? 'auto',
        },
      });
  }
  return { changes, last: rows.at(-1)?.seq ?? 0 };
}

/**
 * Write the fleet's ban changes into the journal, with the cursor they bring it to, in one
 * transaction: the gateway's BanManager then reads them from the journal's change log as it
 * reads any other process's. Changes this gateway made itself are in the journal already.
 * Returns how many were applied.
 */
export function applyInbound(db: Db, changes: readonly FleetChange[], self: string, cursor: number): number {
  const mark = prepared(db, 'INSERT OR IGNORE INTO fleet_inbound (seq) VALUES (?)');
  return db
    .transaction(() => {
      let applied = 0;
      for (const c of changes) {
        if (c.observer === self) continue;
        if (c.kind === 'put') putBans(db, [c.ban]);
        else if (!removeBan(db, c.ban.target)) continue;
        mark.run(latestChange(db));
        applied++;
      }
      writeCursor(db, 'bans_received', cursor);
      return applied;
    })
    .immediate();
}

/**
 * A first join (nothing received yet): the bans in force in the fleet, written in as received,
 * at the cursor the snapshot was read at. Later (re)connects go by the cursor alone.
 */
export function applySnapshot(db: Db, bans: readonly Ban[], cursor: number): void {
  const mark = prepared(db, 'INSERT OR IGNORE INTO fleet_inbound (seq) VALUES (?)');
  db.transaction(() => {
    for (const ban of bans) {
      putBans(db, [ban]);
      mark.run(latestChange(db));
    }
    writeCursor(db, 'bans_received', cursor);
  }).immediate();
}

/** Shipped events older than `before` leave the journal (PostgreSQL holds them now); at most `batch`. */
export function pruneShipped(db: Db, before: number, batch: number): number {
  return prepared(
    db,
    'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? AND ts < ? ORDER BY seq LIMIT ?)',
  ).run(readCursor(db, 'events_sent'), before, batch).changes;
}

/** fleet_inbound rows the shipped cursor has passed are no longer looked at. */
export function forgetInbound(db: Db): void {
  prepared(db, 'DELETE FROM fleet_inbound WHERE seq <= ?').run(readCursor(db, 'bans_sent'));
}
