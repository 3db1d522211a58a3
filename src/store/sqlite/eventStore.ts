import type { SecurityEvent } from '../../events/securityEvent.js';
import { type EncodedEvent, encodeEvent } from '../encodedEvent.js';
import type { EventQuery, EventStore, ResilientEventStore } from '../types.js';
import { eventWhere } from './eventWhere.js';
import { insertEvents } from './eventWrites.js';
import { withBusyTimeout } from './prepared.js';
import type { SpillReplay } from './spill.js';
import { SqliteStoreBase } from './sqliteStoreBase.js';

interface EventRow {
  doc: string;
}

/** EventStore on SQLite. Synchronous underneath; the Promise API matches the fleet store. */
export class SqliteEventStore extends SqliteStoreBase implements EventStore, ResilientEventStore {
  /** Synchronous append, for callers that batch on their own (the gateway's writer), in one transaction. */
  appendSync(events: readonly SecurityEvent[]): number {
    return this.appendEncodedSync(events.map(encodeEvent));
  }

  /** `appendSync` for events already written out as JSON (see ../encodedEvent.ts). */
  appendEncodedSync(events: readonly EncodedEvent[]): number {
    return insertEvents(this.db, events);
  }

  /** `appendSync`, waiting at most `waitMs` for another process's write lock (the connection's own wait is 5 s). */
  appendWaiting(events: readonly SecurityEvent[], waitMs: number): number {
    return withBusyTimeout(this.db, waitMs, () => this.appendSync(events));
  }

  /** Take this process's spill file back (events and bans alike), then remove it. */
  replaySpill(waitMs: number): SpillReplay {
    const spill = this.spill;
    if (spill === null) return { records: 0, unreadable: 0 };
    return withBusyTimeout(this.db, waitMs, () => spill.replayInto(this.db));
  }

  async append(events: readonly SecurityEvent[]): Promise<number> {
    return this.appendSync(events);
  }

  querySync(query: EventQuery): SecurityEvent[] {
    const { where, params } = eventWhere(query);
    const order = query.newestFirst ? 'DESC' : 'ASC';
    const limit = query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : '';
    const rows = this.db
      .prepare(`SELECT doc FROM events ${where} ORDER BY ts ${order}, seq ${order}${limit}`)
      .all(...params) as EventRow[];
    return rows.map((r) => JSON.parse(r.doc) as SecurityEvent);
  }

  async query(query: EventQuery): Promise<SecurityEvent[]> {
    return this.querySync(query);
  }

  async count(query: EventQuery): Promise<number> {
    const { where, params } = eventWhere(query);
    const row = this.db.prepare(`SELECT count(*) AS n FROM events ${where}`).get(...params) as { n: number };
    return row.n;
  }
}
