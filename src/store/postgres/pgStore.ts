import type pg from 'pg';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { type BanRow, banFromRow } from '../banRow.js';
import type { EncodedEvent } from '../encodedEvent.js';
import type { EventFilter, PruneOptions, PruneResult, Store, StoredEvent } from '../store.js';
import type { Ban, BanChanges, EventQuery } from '../types.js';
import { type BanWrite, readFleetChanges, writeBans } from './banSql.js';
import { type ConnectOptions, inTransaction, openPool, redactUrl, withClient } from './connect.js';
import { eventWhere, insertEvents } from './eventSql.js';
import { migrate } from './migrate.js';
import { pruneSlice } from './prune.js';

export interface PgStoreOptions extends ConnectOptions {
  /** The name written in `observer` for events appended here (a gateway's `name:`). */
  readonly observer?: string | null;
  /** false: do not migrate at open (`bansho store status` reads a database as it is). */
  readonly migrate?: boolean;
}

/**
 * The Store on PostgreSQL: one database shared by a fleet of gateways and the commands that
 * read it. Events go in with one multi-row INSERT per batch (unnest of arrays: one statement
 * for any batch size); ban writes go with their change-log row and a NOTIFY (./banSql.ts).
 */
export class PgStore implements Store {
  readonly kind = 'postgres';
  readonly location: string;
  readonly pool: pg.Pool;
  readonly #observer: string | null;

  private constructor(url: string, pool: pg.Pool, observer: string | null) {
    this.location = redactUrl(url);
    this.pool = pool;
    this.#observer = observer;
  }

  /** Connect and bring the schema up to date (see ./migrate.ts). */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const pool = openPool(url, options);
    const store = new PgStore(url, pool, options.observer ?? null);
    if (options.migrate !== false) {
      try {
        await withClient(pool, (client) => migrate(client));
      } catch (err) {
        await pool.end().catch(() => undefined);
        throw err;
      }
    }
    return store;
  }

  appendEvents(events: readonly EncodedEvent[], observer = this.#observer): Promise<number> {
    return insertEvents(this.pool, events, observer);
  }

  async queryEvents(query: EventQuery): Promise<SecurityEvent[]> {
    const { where, values } = eventWhere(query);
    const order = query.newestFirst ? 'DESC' : 'ASC';
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const { rows } = await this.pool.query<{ doc: string }>(
      `SELECT doc FROM events ${where} ORDER BY ts ${order}, seq ${order}${limit}`,
      values,
    );
    return rows.map((r) => JSON.parse(r.doc) as SecurityEvent);
  }

  async countEvents(query: EventQuery): Promise<number> {
    const { where, values } = eventWhere(query);
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM events ${where}`, values);
    return rows[0]?.n ?? 0;
  }

  async eventPage(f: EventFilter): Promise<StoredEvent[]> {
    const { where, values } = eventWhere(f);
    const clauses = where === '' ? [] : [where.slice('WHERE '.length)];
    if (f.before !== undefined) {
      values.push(f.before.ts, f.before.seq);
      clauses.push(`(ts, seq) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(f.limit);
    const { rows } = await this.pool.query<StoredRow>(
      `SELECT seq, ts, doc FROM events ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''}
       ORDER BY ts DESC, seq DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(toStored);
  }

  async eventsAfter(seq: number, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<StoredRow>(
      'SELECT seq, ts, doc FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',
      [seq, limit],
    );
    return rows.map(toStored);
  }

  async lastEventSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ s: number }>('SELECT coalesce(max(seq), 0) AS s FROM events');
    return rows[0]?.s ?? 0;
  }

  async sourceCounts(since: number, limit: number): Promise<Array<{ ip: string; events: number; last: number }>> {
    const { rows } = await this.pool.query<{ ip: string; events: number; last: number }>(
      `SELECT source_ip AS ip, count(*) AS events, max(ts) AS last FROM events
       WHERE ts >= $1 AND action != 'flow' GROUP BY source_ip ORDER BY events DESC, source_ip COLLATE "C" LIMIT $2`,
      [since, limit],
    );
    return rows;
  }

  async threatTimes(since: number, threatId?: string): Promise<Array<{ threat: string; ts: number }>> {
    const only = threatId === undefined ? '' : ' AND threat_id = $2';
    const { rows } = await this.pool.query<{ threat: string; ts: number }>(
      `SELECT threat_id AS threat, ts FROM events WHERE threat_id IS NOT NULL AND ts >= $1${only} ORDER BY ts`,
      threatId === undefined ? [since] : [since, threatId],
    );
    return rows;
  }

  async countsByAction(since: number): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ action: string; n: number }>(
      'SELECT action, count(*) AS n FROM events WHERE ts >= $1 GROUP BY action',
      [since],
    );
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }

  async putBans(bans: readonly Ban[]): Promise<void> {
    await this.writeBans(bans.map((ban) => ({ kind: 'put', ban, key: null })));
  }

  /** Ban writes with their change-log rows, in one transaction; returns how many changed something. */
  writeBans(writes: readonly BanWrite[]): Promise<number> {
    // One write is a transaction of its own: one round trip.
    if (writes.length === 1) return writeBans(this.pool, writes);
    return inTransaction(this.pool, (client) => writeBans(client, writes));
  }

  async removeBan(target: string): Promise<boolean> {
    return (await this.writeBans([{ kind: 'remove', target, key: null }])) > 0;
  }

  async activeBans(now: number, page: { readonly offset?: number; readonly limit?: number } = {}): Promise<Ban[]> {
    const limit = page.limit !== undefined && page.limit > 0 ? Math.floor(page.limit) : null;
    const offset = Math.max(0, Math.floor(page.offset ?? 0));
    const { rows } = await this.pool.query<BanRow>(
      'SELECT * FROM bans WHERE until > $1 ORDER BY since, target COLLATE "C" LIMIT $2 OFFSET $3',
      [now, limit, offset],
    );
    return rows.map(banFromRow);
  }

  async countActiveBans(now: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM bans WHERE until > $1', [now]);
    return rows[0]?.n ?? 0;
  }

  async banOn(target: string, now: number): Promise<Ban | null> {
    const { rows } = await this.pool.query<BanRow>('SELECT * FROM bans WHERE target = $1 AND until > $2', [
      target,
      now,
    ]);
    return rows[0] ? banFromRow(rows[0]) : null;
  }

  async offences(target: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>('SELECT count FROM offences WHERE target = $1', [target]);
    return rows[0]?.count ?? 0;
  }

  async banChanges(cursor: number, limit: number): Promise<BanChanges> {
    const { changes, prunedThrough } = await readFleetChanges(this.pool, cursor, limit);
    return {
      changes: changes.map((c) => ({
        seq: c.id,
        target: c.ban.target,
        kind: c.kind,
        until: c.kind === 'put' ? c.ban.until : 0,
      })),
      prunedThrough,
    };
  }

  async latestBanChange(): Promise<number> {
    const { rows } = await this.pool.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM ban_changes');
    const pruned = await this.pool.query<{ value: number }>(`SELECT value FROM meta WHERE key = 'ban_changes_pruned'`);
    return Math.max(rows[0]?.id ?? 0, pruned.rows[0]?.value ?? 0);
  }

  /** Whole months past the retention are dropped; the rest (the default partition, a partial month) go by row. */
  async prune(o: PruneOptions): Promise<PruneResult> {
    return withClient(this.pool, (client) => pruneSlice(client, o));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type StoredRow = { seq: number; ts: number; doc: string };

function toStored(r: StoredRow): StoredEvent {
  return { seq: r.seq, ts: r.ts, event: JSON.parse(r.doc) as SecurityEvent };
}
