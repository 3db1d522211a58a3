import type pg from 'pg';
import { type BanRow, banFromRow } from '../banRow.js';
import { type BanWrite, readFleetChanges, writeBans } from '../postgres/banSql.js';
import { inTransaction, openClient, openPool, redactUrl, withClient } from '../postgres/connect.js';
import { insertEvents } from '../postgres/eventSql.js';
import { migrate } from '../postgres/migrate.js';
import { maintain } from '../postgres/prune.js';
import { BAN_CHANNEL } from '../postgres/schema.js';
import type { FleetLinkOptions, FleetState, FleetStats } from './fleetLinkOptions.js';
import {
  applyInbound,
  applySnapshot,
  eventBacklog,
  forgetInbound,
  prepareJournal,
  pruneShipped,
  readCursor,
  unsentBanChanges,
  unsentEvents,
  writeCursor,
} from './journal.js';

/**
 * A gateway's link to the fleet's PostgreSQL. The gateway never waits for it: it bans and
 * records into its journal as in embedded mode, and this link, on its own schedule, ships what
 * is new there (events in multi-row batches, bans with an idempotency key: the journal's id and
 * row), and writes the other gateways' bans into the journal as LISTEN/NOTIFY announces them,
 * reading the fleet's change log after its cursor. When PostgreSQL is down or slow, nothing
 * changes for traffic: the journal grows, and is shipped when the link is back — once, whatever
 * was half-done when it went down.
 */
export class FleetLink {
  readonly #o: FleetLinkOptions;
  readonly #db: FleetLinkOptions['journal'];
  readonly #self: string;
  readonly #batch: number;
  readonly #clock: () => number;
  #pool: pg.Pool | null = null;
  #listener: pg.Client | null = null;
  #state: FleetState = 'connecting';
  #timer: NodeJS.Timeout | null = null;
  #pumping: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #retryMs: number;
  #downSince = 0;
  #lastPoll = 0;
  #lastPrune = 0;
  #lastMaintain = 0;
  #catchingUp: { since: number; events: number; bans: number } | null = null;
  /** The running totals of FleetStats. */
  readonly #counts = { outages: 0, catchUps: 0, eventsShipped: 0, bansShipped: 0, bansReceived: 0 };

  constructor(options: FleetLinkOptions) {
    this.#o = options;
    this.#db = options.journal;
    this.#batch = Math.max(1, options.batch ?? 1000);
    this.#clock = options.clock ?? Date.now;
    this.#retryMs = options.retryFirstMs ?? 250;
    prepareJournal(this.#db);
    // The journal's identity keys what it ships: a journal made anew under the same name is another source.
    let id = readCursor(this.#db, 'journal_id');
    if (id === 0) {
      id = 1 + Math.floor(Math.random() * 2 ** 40);
      writeCursor(this.#db, 'journal_id', id);
    }
    this.#self = `${options.name}#${id.toString(36)}`;
  }

  /** The database, without its password. */
  get location(): string {
    return redactUrl(this.#o.url);
  }

  get state(): FleetState {
    return this.#state;
  }

  get stats(): FleetStats {
    return { state: this.#state, ...this.#counts, backlog: eventBacklog(this.#db) };
  }

  start(): this {
    this.#schedule(0);
    return this;
  }

  /** Something is waiting (a ban made here, a notification): ship and read now. */
  wake(): void {
    if (this.#stopped) return;
    this.#again = true;
    if (!this.#pumping) this.#schedule(0);
  }

  /**
   * Ship what waits for up to `drainMs` (what is left stays in the journal, shipped by the next
   * run), then disconnect. A link that has not connected yet gets one try.
   */
  async close(drainMs = 5_000): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#pumping;
    const end = this.#clock() + drainMs;
    try {
      if (this.#state !== 'up' && drainMs > 0) await this.#connect();
      while (this.#state === 'up' && (await this.#round(true)) && this.#clock() < end);
    } catch (err) {
      await this.#down(err);
    }
    const left = eventBacklog(this.#db);
    if (left > 0)
      this.#o.log(`bansho: fleet: ${left} event(s) stay in the journal ${this.#db.name}, shipped by the next run`);
    await this.#disconnect();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // One round at a time: the running one goes again as soon as it ends.
      if (this.#pumping) {
        this.#again = true;
        return;
      }
      this.#pumping = this.#pump().finally(() => {
        this.#pumping = null;
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #pump(): Promise<void> {
    let next = this.#o.shipMs ?? 100;
    try {
      if (this.#state !== 'up') await this.#connect();
      const woken = this.#again;
      this.#again = false;
      const more = await this.#round(woken);
      if (more || this.#again) next = 0;
      this.#retryMs = this.#o.retryFirstMs ?? 250;
    } catch (err) {
      await this.#down(err);
      next = this.#retryMs;
      this.#retryMs = Math.min(this.#o.retryMaxMs ?? 5_000, this.#retryMs * 2);
    }
    this.#schedule(next);
  }

  /** Read the fleet's changes, ship ours; true when more is waiting. */
  async #round(woken = false): Promise<boolean> {
    const now = this.#clock();
    // Our bans first: another gateway waits for them.
    await this.#shipBans();
    if (woken || now - this.#lastPoll >= (this.#o.pollMs ?? 2_000)) {
      this.#lastPoll = now;
      await this.#receive();
    }
    const more = await this.#shipEvents();
    if (!more && this.#catchingUp) this.#caughtUp();
    if (now - this.#lastPrune >= 60_000) {
      this.#lastPrune = now;
      pruneShipped(this.#db, now - (this.#o.journalKeepMs ?? 3_600_000), 5_000);
    }
    if (now - this.#lastMaintain >= 3_600_000) {
      this.#lastMaintain = now;
      await this.#maintain(now);
    }
    return more;
  }

  async #connect(): Promise<void> {
    await this.#disconnect();
    const connect = {
      connectTimeoutMs: 3_000,
      queryTimeoutMs: this.#o.queryTimeoutMs ?? 5_000,
      onError: (err: Error) => void this.#lost(err),
    };
    const pool = openPool(this.#o.url, { ...connect, max: 2 });
    this.#pool = pool;
    await withClient(pool, (client) => migrate(client));
    const listener = openClient(this.#o.url, connect);
    this.#listener = listener;
    listener.on('notification', () => this.wake());
    listener.on('end', () => void this.#lost(new Error('the LISTEN connection closed')));
    await listener.connect();
    await listener.query(`LISTEN ${BAN_CHANNEL}`);
    const wasDown = this.#state === 'down';
    this.#state = 'up';
    this.#lastPoll = 0;
    if (wasDown) {
      const seconds = ((this.#clock() - this.#downSince) / 1000).toFixed(1);
      const waiting = eventBacklog(this.#db);
      this.#catchingUp = { since: this.#clock(), events: this.#counts.eventsShipped, bans: this.#counts.bansShipped };
      this.#o.log(
        `bansho: fleet: PostgreSQL reachable again after ${seconds} s: catching up (${waiting} event(s) waiting in the journal)`,
      );
    } else this.#o.log(`bansho: fleet: connected as ${this.#self}`);
  }

  /** The fleet's ban changes after the cursor, into the journal. */
  async #receive(): Promise<void> {
    const pool = this.#pool as pg.Pool;
    let cursor = readCursor(this.#db, 'bans_received');
    if (cursor === 0) {
      await this.#snapshot(pool);
      cursor = readCursor(this.#db, 'bans_received');
    }
    for (;;) {
      const { changes, prunedThrough } = await readFleetChanges(pool, cursor, this.#batch);
      if (prunedThrough > cursor) {
        // Away for longer than the fleet keeps its change log: the list in force, once.
        this.#o.log('bansho: fleet: the change log was pruned past this gateway: reading the bans in force');
        await this.#snapshot(pool);
        return;
      }
      if (changes.length === 0) return;
      cursor = changes.at(-1)?.id ?? cursor;
      const applied = applyInbound(this.#db, changes, this.#self, cursor);
      if (applied > 0) {
        this.#counts.bansReceived += applied;
        this.#o.onBans();
      }
      if (changes.length < this.#batch) return;
    }
  }

  async #snapshot(pool: pg.Pool): Promise<void> {
    const now = this.#clock();
    const { bans, cursor } = await inTransaction(pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const latest = await client.query<{ id: number }>(
        `SELECT GREATEST(coalesce(max(id), 0), (SELECT value FROM meta WHERE key = 'ban_changes_pruned')) AS id FROM ban_changes`,
      );
      const rows = await client.query<BanRow>(
        'SELECT target, since, until, reason, threat_id, offence, origin FROM bans WHERE until > $1',
        [now],
      );
      return { cursor: latest.rows[0]?.id ?? 0, bans: rows.rows.map(banFromRow) };
    });
    // Cursor 0 means "never received": a fleet with no change yet is read again next time, which costs nothing.
    applySnapshot(this.#db, bans, cursor);
    if (bans.length > 0) {
      this.#counts.bansReceived += bans.length;
      this.#o.onBans();
    }
  }

  async #shipBans(): Promise<void> {
    const pool = this.#pool as pg.Pool;
    for (;;) {
      const { changes, last } = unsentBanChanges(this.#db, this.#batch);
      if (last === 0) return;
      if (changes.length > 0) {
        const key = (seq: number) => ({ observer: this.#self, seq });
        const writes = changes.map(
          (c): BanWrite =>
            c.kind === 'put'
              ? { kind: 'put', ban: c.ban, key: key(c.seq) }
              : { kind: 'remove', target: c.target, key: key(c.seq) },
        );
        // One change (the usual case: a ban just made) is one round trip.
        if (writes.length === 1) await writeBans(pool, writes);
        else await inTransaction(pool, (client) => writeBans(client, writes));
        this.#counts.bansShipped += changes.length;
      }
      writeCursor(this.#db, 'bans_sent', last);
      forgetInbound(this.#db);
    }
  }

  /** Up to a few batches per round, so a long backlog leaves room for the fleet's bans in between. */
  async #shipEvents(): Promise<boolean> {
    const pool = this.#pool as pg.Pool;
    for (let i = 0; i < 8; i++) {
      const { events, last } = unsentEvents(this.#db, this.#batch);
      if (events.length === 0) return false;
      await insertEvents(pool, events, this.#o.name);
      writeCursor(this.#db, 'events_sent', last);
      this.#counts.eventsShipped += events.length;
      if (events.length < this.#batch) return false;
    }
    return true;
  }

  /** Partitions ahead and retention, hourly, by one gateway of the fleet at a time. */
  async #maintain(now: number): Promise<void> {
    try {
      await withClient(this.#pool as pg.Pool, (client) =>
        maintain(client, now, {
          eventsBefore: now - (this.#o.retentionMs ?? 90 * 86_400_000),
          changesBefore: now - (this.#o.changeLogMs ?? 7 * 86_400_000),
        }),
      );
    } catch (err) {
      // Housekeeping waits for the next hour; it is no outage.
      this.#o.log(`bansho: fleet: partitions and retention deferred: ${(err as Error).message}`);
    }
  }

  #caughtUp(): void {
    const c = this.#catchingUp;
    if (!c) return;
    this.#catchingUp = null;
    this.#counts.catchUps++;
    const ms = this.#clock() - c.since;
    this.#o.log(
      `bansho: fleet: caught up in ${ms} ms: ${this.#counts.eventsShipped - c.events} event(s) and ${this.#counts.bansShipped - c.bans} ban change(s) from the journal are in PostgreSQL`,
    );
  }

  /** A connection failed outside a query (the server went away while idle). */
  async #lost(err: Error): Promise<void> {
    if (this.#state !== 'up' || this.#stopped) return;
    await this.#down(err);
    this.#schedule(this.#retryMs);
  }

  async #down(err: unknown): Promise<void> {
    if (this.#state !== 'down') {
      this.#counts.outages++;
      this.#downSince = this.#clock();
      this.#o.log(
        `bansho: fleet: PostgreSQL unreachable (${(err as Error).message ?? String(err)}): serving and banning from the journal ${this.#db.name}, retrying`,
      );
    }
    this.#state = 'down';
    this.#catchingUp = null;
    await this.#disconnect();
  }

  async #disconnect(): Promise<void> {
    const pool = this.#pool;
    const listener = this.#listener;
    this.#pool = null;
    this.#listener = null;
    listener?.removeAllListeners('end');
    listener?.removeAllListeners('notification');
    await Promise.all([pool?.end().catch(() => undefined), listener?.end().catch(() => undefined)]);
  }
}
