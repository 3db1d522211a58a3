import type { Ban } from '../store/types.js';

export class BanStoreError extends Error {
  readonly code = 'E_BAN_STORE';
}

export interface BanWriteQueueOptions {
  /** Write one ban, waiting at most `waitMs` for another process's write lock; throws on failure. */
  readonly write: (ban: Ban, waitMs: number) => void;
  readonly onError: (err: unknown) => void;
  /** A ban that waited here is in the store now (a retry wrote it). */
  readonly onWritten?: (ban: Ban) => void;
  /** How long a write on the request path may wait for the lock (it blocks the event loop meanwhile). */
  readonly waitMs: number;
  /** The first retry's delay; it doubles up to `retryMaxMs`. */
  readonly retryFirstMs: number;
  readonly retryMaxMs: number;
  readonly clock: () => number;
}

/** While a write keeps failing, a reminder goes to the log this often. */
const REMIND_MS = 30_000;

/**
 * Bans on their way to the store. A ban is written before `submit` returns when the store
 * takes it; when it does not (SQLITE_BUSY: another process held the write lock longer than we
 * may wait; a disk error), the ban waits here, in order, and is retried with backoff until it
 * is written — never dropped. While bans wait, new ones queue behind them without trying
 * inline, so a locked store does not stall every request that earns a ban.
 */
export class BanWriteQueue {
  readonly #o: BanWriteQueueOptions;
  readonly #pending: Ban[] = [];
  /** Pending bans per target: the ban manager keeps deltas off them and counts their offences. */
  readonly #perTarget = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #delay: number;
  #failingSince = 0;
  #remindedAt = 0;
  #retried = 0;

  constructor(options: BanWriteQueueOptions) {
    this.#o = options;
    this.#delay = options.retryFirstMs;
  }

  /** Bans not yet in the store. */
  get size(): number {
    return this.#pending.length;
  }

  /** How many bans were written by a retry rather than at once. */
  get retried(): number {
    return this.#retried;
  }

  /** The bans waiting, oldest first. */
  pendingBans(): readonly Ban[] {
    return this.#pending;
  }

  has(target: string): boolean {
    return this.#perTarget.has(target);
  }

  countFor(target: string): number {
    return this.#perTarget.get(target) ?? 0;
  }

  /** Write `ban` now if the store takes it (true), else keep it for a retry (false). */
  submit(ban: Ban): boolean {
    if (this.#pending.length === 0) {
      try {
        this.#o.write(ban, this.#o.waitMs);
        return true;
      } catch (err) {
        this.#failed(err, ban);
      }
    }
    this.#pending.push(ban);
    this.#perTarget.set(ban.target, this.countFor(ban.target) + 1);
    this.#schedule();
    return false;
  }

  /**
   * At shutdown: one last try for each waiting ban, each allowed to wait `waitMs` (the process
   * is stopping; nothing else waits on its loop). Returns the bans still not written.
   */
  close(waitMs: number): Ban[] {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#drain(waitMs);
    return this.#pending.splice(0);
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#drain(this.#o.waitMs);
      if (this.#pending.length > 0) {
        this.#delay = Math.min(this.#o.retryMaxMs, this.#delay * 2);
        this.#schedule();
      }
    }, this.#delay);
    this.#timer.unref();
  }

  /** Write waiting bans in order, up to the first failure. */
  #drain(waitMs: number): void {
    let written = 0;
    while (this.#pending.length > 0) {
      const ban = this.#pending[0] as Ban;
      try {
        this.#o.write(ban, waitMs);
      } catch (err) {
        this.#failed(err, ban);
        return;
      }
      this.#pending.shift();
      const left = this.countFor(ban.target) - 1;
      if (left > 0) this.#perTarget.set(ban.target, left);
      else this.#perTarget.delete(ban.target);
      written++;
      this.#retried++;
      this.#o.onWritten?.(ban);
    }
    if (written > 0) {
      const seconds = ((this.#o.clock() - this.#failingSince) / 1000).toFixed(1);
      this.#o.onError(
        new BanStoreError(`ban store writable again: ${written} waiting ban(s) written after ${seconds} s`),
      );
    }
    this.#failingSince = 0;
    this.#delay = this.#o.retryFirstMs;
  }

  #failed(err: unknown, ban: Ban): void {
    const now = this.#o.clock();
    const why = (err as { code?: string }).code ?? String(err);
    if (this.#failingSince === 0) {
      this.#failingSince = now;
      this.#remindedAt = now;
      this.#o.onError(
        new BanStoreError(
          `ban on ${ban.target} not written yet (${why}): it is in force here and kept for a retry until the store takes it`,
        ),
      );
    } else if (now - this.#remindedAt >= REMIND_MS) {
      this.#remindedAt = now;
      this.#o.onError(new BanStoreError(`${this.#pending.length} ban(s) still waiting for the store (${why})`));
    }
  }
}
