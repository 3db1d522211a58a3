import type Database from 'better-sqlite3';
import { prepared, withBusyTimeout } from './prepared.js';

type Db = Database.Database;

const DAY_MS = 86_400_000;

export class RetentionError extends Error {
  readonly code = 'E_RETENTION';
}

export interface RetentionOptions {
  /** Events older than this are deleted (config `retention`, default 90 days). */
  readonly retentionMs: number;
  /**
   * Change-log rows older than this are pruned, and bans that ended longer ago than this are
   * deleted (their offences stay). A reader further behind than this reads the whole list again.
   */
  readonly changeLogMs?: number;
  /** Rows deleted per slice: each slice is one short transaction. */
  readonly batch?: number;
  /** How often a pass starts; a pass runs slice after slice (with a pause) until nothing is left. */
  readonly intervalMs?: number;
  /** How long a slice waits for another process's write lock before it tries again next pass. */
  readonly waitMs?: number;
  readonly clock?: () => number;
  readonly onError?: (err: unknown) => void;
}

/** What one slice deleted. */
export interface PruneSlice {
  readonly events: number;
  readonly changes: number;
  readonly bans: number;
}

/** Between two slices of one pass: room for the requests waiting on the event loop. */
const SLICE_PAUSE_MS = 10;

/**
 * Keeps the database from growing without end, in the background: events past the retention,
 * the ban change log past what a running reader needs, bans long expired. Deletes go a small
 * batch per transaction (by index, oldest first), so neither the event loop nor other writers
 * wait on it for long; the timer is unref'd and never keeps a process alive.
 */
export class StoreRetention {
  readonly #db: Db;
  readonly #retentionMs: number;
  readonly #changeLogMs: number;
  readonly #batch: number;
  readonly #intervalMs: number;
  readonly #waitMs: number;
  readonly #clock: () => number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #failing = false;

  constructor(db: Db, options: RetentionOptions) {
    if (!(options.retentionMs > 0)) throw new RetentionError('retention must be longer than 0');
    this.#db = db;
    this.#retentionMs = options.retentionMs;
    this.#changeLogMs = options.changeLogMs ?? DAY_MS;
    this.#batch = Math.max(1, options.batch ?? 5000);
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#waitMs = options.waitMs ?? 100;
    this.#clock = options.clock ?? Date.now;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: retention: ${String(err)}\n`));
  }

  /** Start pruning: a pass now and one every interval. */
  start(): this {
    this.#running = true;
    this.#schedule(0);
    return this;
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Delete one batch of each kind; throws when the store refuses (locked, read-only). */
  pruneSlice(): PruneSlice {
    const now = this.#clock();
    return withBusyTimeout(this.#db, this.#waitMs, () => ({
      events: pruneEvents(this.#db, now - this.#retentionMs, this.#batch),
      changes: pruneChanges(this.#db, now - this.#changeLogMs, this.#batch),
      bans: pruneBans(this.#db, now - this.#changeLogMs, this.#batch),
    }));
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = null;
    let more = false;
    try {
      const slice = this.pruneSlice();
      more = Math.max(slice.events, slice.changes, slice.bans) >= this.#batch;
      this.#failing = false;
    } catch (err) {
      // Reported once per run of failures; the next pass tries again.
      if (!this.#failing) this.#onError(new RetentionError(`pruning deferred: ${String(err)}`));
      this.#failing = true;
    }
    this.#schedule(more ? SLICE_PAUSE_MS : this.#intervalMs);
  }
}

/** Up to `batch` of the oldest events before `before`. */
export function pruneEvents(db: Db, before: number, batch: number): number {
  return prepared(db, 'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ts < ? ORDER BY ts LIMIT ?)').run(
    before,
    batch,
  ).changes;
}

/** The log's oldest rows, and the mark readers compare their cursor with. */
export function pruneChanges(db: Db, before: number, batch: number): number {
  return db
    .transaction(() => {
      const last = prepared(
        db,
        'SELECT max(seq) AS seq FROM (SELECT seq FROM ban_changes WHERE at < ? ORDER BY seq LIMIT ?)',
      ).get(before, batch) as { seq: number | null };
      if (last.seq === null) return 0;
      const deleted = prepared(db, 'DELETE FROM ban_changes WHERE seq <= ? AND at < ?').run(last.seq, before).changes;
      prepared(db, `UPDATE meta SET value = max(value, ?) WHERE key = 'ban_changes_pruned'`).run(last.seq);
      return deleted;
    })
    .immediate();
}

/** Up to `batch` bans that ended before `endedBefore` (their offences stay). */
export function pruneBans(db: Db, endedBefore: number, batch: number): number {
  return prepared(
    db,
    'DELETE FROM bans WHERE target IN (SELECT target FROM bans WHERE until < ? ORDER BY until LIMIT ?)',
  ).run(endedBefore, batch).changes;
}
