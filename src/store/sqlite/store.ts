import type Database from 'better-sqlite3';
import type { SecurityEvent } from '../../events/securityEvent.js';
import type { EncodedEvent } from '../encodedEvent.js';
import type { EventFilter, PruneOptions, PruneResult, Store, StoredEvent } from '../store.js';
import type { Ban, BanChanges, EventQuery } from '../types.js';
import { SqliteBanStore } from './banStore.js';
import { SqliteEventStore } from './eventStore.js';
import { eventWhere } from './eventWhere.js';
import { openSqlite } from './openSqlite.js';
import { prepared } from './prepared.js';
import { pruneBans, pruneChanges, pruneEvents } from './retention.js';

type Db = Database.Database;
type Row = { seq: number; ts: number; doc: string };

/**
 * The Store on one SQLite database (the embedded default). Synchronous underneath; the event
 * and ban stores that the gateway drives synchronously are `events` and `bans`.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly db: Db;
  readonly events: SqliteEventStore;
  readonly bans: SqliteBanStore;

  constructor(file: string, options: { readonly log?: (line: string) => void } = {}) {
    this.location = file;
    this.db = openSqlite(file, options);
    this.events = new SqliteEventStore(this.db);
    this.bans = new SqliteBanStore(this.db);
  }

  async appendEvents(events: readonly EncodedEvent[]): Promise<number> {
    return this.events.appendEncodedSync(events);
  }

  async queryEvents(query: EventQuery): Promise<SecurityEvent[]> {
    return this.events.querySync(query);
  }

  countEvents(query: EventQuery): Promise<number> {
    return this.events.count(query);
  }

  async eventPage(f: EventFilter): Promise<StoredEvent[]> {
    const { where, params } = eventWhere(f);
    const rows = this.db
      .prepare(`SELECT seq, ts, doc FROM events ${where} ORDER BY ts DESC, seq DESC LIMIT ?`)
      .all(...params, f.limit) as Row[];
    return rows.map(toStored);
  }

  async eventsAfter(seq: number, limit: number): Promise<StoredEvent[]> {
    const rows = prepared(this.db, 'SELECT seq, ts, doc FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(
      seq,
      limit,
    ) as Row[];
    return rows.map(toStored);
  }

  async lastEventSeq(): Promise<number> {
    return (prepared(this.db, 'SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  }

  async sourceCounts(since: number, limit: number): Promise<Array<{ ip: string; events: number; last: number }>> {
    return prepared(
      this.db,
      `SELECT source_ip AS ip, count(*) AS events, max(ts) AS last FROM events
       WHERE ts >= ? AND action != 'flow' GROUP BY source_ip ORDER BY events DESC, ip LIMIT ?`,
    ).all(since, limit) as Array<{ ip: string; events: number; last: number }>;
  }

  async threatTimes(since: number, threatId?: string): Promise<Array<{ threat: string; ts: number }>> {
    const only = threatId === undefined ? '' : ' AND threat_id = ?';
    const params = threatId === undefined ? [since] : [since, threatId];
    return prepared(
      this.db,
      `SELECT threat_id AS threat, ts FROM events WHERE threat_id IS NOT NULL AND ts >= ?${only} ORDER BY ts`,
    ).all(...params) as Array<{ threat: string; ts: number }>;
  }

  async countsByAction(since: number): Promise<Record<string, number>> {
    const rows = prepared(this.db, 'SELECT action, count(*) AS n FROM events WHERE ts >= ? GROUP BY action').all(
      since,
    ) as Array<{ action: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }

  async putBans(bans: readonly Ban[]): Promise<void> {
    this.bans.putManySync(bans);
  }

  async removeBan(target: string): Promise<boolean> {
    return this.bans.removeSync(target);
  }

  async activeBans(now: number, page: { readonly offset?: number; readonly limit?: number } = {}): Promise<Ban[]> {
    return [...this.bans.iterateActive(now, page)];
  }

  async countActiveBans(now: number): Promise<number> {
    return this.bans.countActiveSync(now);
  }

  async banOn(target: string, now: number): Promise<Ban | null> {
    return this.bans.activeOnSync(target, now);
  }

  async offences(target: string): Promise<number> {
    return this.bans.offencesSync(target);
  }

  async banChanges(cursor: number, limit: number): Promise<BanChanges> {
    return this.bans.changesSync(cursor, limit);
  }

  async latestBanChange(): Promise<number> {
    return this.bans.versionSync();
  }

  async prune(o: PruneOptions): Promise<PruneResult> {
    return {
      events: pruneEvents(this.db, o.eventsBefore, o.batch),
      changes: pruneChanges(this.db, o.changesBefore, o.batch),
      bans: pruneBans(this.db, o.changesBefore, o.batch),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toStored(r: Row): StoredEvent {
  return { seq: r.seq, ts: r.ts, event: JSON.parse(r.doc) as SecurityEvent };
}
