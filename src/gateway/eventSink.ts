import { setTimeout as delay } from 'node:timers/promises';
import { JsonLinesOutput } from '../events/jsonLinesOutput.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { encodeEvent } from '../store/encodedEvent.js';
import type { EventStore, ResilientEventStore } from '../store/types.js';

export class EventSinkError extends Error {
  constructor(
    readonly code: 'E_EVENT_STORE' | 'E_EVENT_SPILL' | 'E_EVENT_LOST',
    message: string,
  ) {
    super(message);
  }
}

export interface EventSinkOptions {
  /**
   * The store. Where it offers them (ResilientEventStore), a write waits at most `writeWaitMs`
   * for another process's lock, and batches it refuses go to its spill file.
   */
  readonly store: (EventStore & Partial<ResilientEventStore>) | null;
  /** A file to append JSON lines to, `-` for stdout, or null. */
  readonly jsonLines: string | null;
  /** Flush when this many events are queued… */
  readonly batchSize?: number;
  /** …or this long after the first queued event. */
  readonly flushMs?: number;
  /** How long a write may wait for another process's write lock: the event loop waits with it. */
  readonly writeWaitMs?: number;
  /** Tries per batch before it is spilled; the first retry waits `retryMs`, each later one four times longer. */
  readonly attempts?: number;
  readonly retryMs?: number;
  /** While the store refuses writes, batches go straight to the spill file; one tries the store this often. */
  readonly probeMs?: number;
  readonly onError?: (err: unknown) => void;
  /** Called for every event as it is queued (the demo prints them). */
  readonly onEvent?: (event: SecurityEvent) => void;
}

/** What became of the events so far (metrics; every loss is also reported through onError). */
export interface EventSinkStats {
  /** Events the store took. */
  readonly written: number;
  /** Store writes that failed (each retry counts). */
  readonly failed: number;
  /** Events put in the spill file instead. */
  readonly spilled: number;
  /** Spilled records the store took back. */
  readonly replayed: number;
  /** Events neither the store nor the spill file took. */
  readonly lost: number;
  /** Events the JSON-lines output missed (it failed, or its reader lagged). */
  readonly outputFailed: number;
}

/**
 * Events per transaction. A batch is written in one turn of the event loop: 64 keep that turn
 * to a few milliseconds (256 took tens under a flood of a million sources), while a commit
 * still carries enough events that its fixed cost does not count.
 */
const BATCH_SIZE = 64;

/**
 * The gateway's event writer. `push` only queues (the request path never touches the
 * database); a batch is written in one transaction on the next turn of the event loop once
 * one is full, or after a short delay, whichever comes first, and a longer queue one batch
 * per turn. A batch the store refuses is
 * retried, then spilled to the store's spill file (replayed once the store takes writes
 * again), and counted and reported either way — never dropped in silence.
 */
export class EventSink {
  readonly #store: (EventStore & Partial<ResilientEventStore>) | null;
  readonly #out: JsonLinesOutput | null;
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #writeWaitMs: number;
  readonly #attempts: number;
  readonly #retryMs: number;
  readonly #probeMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #onEvent: ((event: SecurityEvent) => void) | null;
  #queue: SecurityEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #writing: Promise<void> = Promise.resolve();
  /** Since the store last refused a batch after every retry: spill without trying, probe now and then. */
  #down = false;
  #probeAt = 0;
  #reportedLoss = false;
  /** Events were spilled by this process and not yet taken back. */
  #spillWaiting = false;
  #written = 0;
  #failed = 0;
  #spilled = 0;
  #replayed = 0;
  #lost = 0;

  constructor(options: EventSinkOptions) {
    this.#store = options.store;
    this.#batchSize = options.batchSize ?? BATCH_SIZE;
    this.#flushMs = options.flushMs ?? 100;
    this.#writeWaitMs = options.writeWaitMs ?? 100;
    this.#attempts = Math.max(1, options.attempts ?? 3);
    this.#retryMs = options.retryMs ?? 100;
    this.#probeMs = options.probeMs ?? 1000;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: event write failed: ${String(err)}\n`));
    this.#onEvent = options.onEvent ?? null;
    this.#out = options.jsonLines ? new JsonLinesOutput(options.jsonLines, this.#onError) : null;
  }

  /** Events handed to the store so far (for tests and metrics). */
  get written(): number {
    return this.#written;
  }

  get stats(): EventSinkStats {
    return {
      written: this.#written,
      failed: this.#failed,
      spilled: this.#spilled,
      replayed: this.#replayed,
      lost: this.#lost,
      outputFailed: this.#out?.failed ?? 0,
    };
  }

  push(event: SecurityEvent): void {
    this.#queue.push(event);
    this.#onEvent?.(event);
    if (this.#queue.length >= this.#batchSize) {
      if (this.#immediate === null) this.#immediate = setImmediate(() => this.#flushQueued());
    } else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#flushQueued(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Write everything queued; resolves when it is in the store (or spilled). */
  flush(): Promise<void> {
    while (this.#queue.length > 0) this.#flushQueued();
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#out?.close();
  }

  #flushQueued(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    if (this.#queue.length === 0) return;
    // One batch per turn: a burst (a drop report for thousands of bans) is written over as many turns.
    const batch = this.#queue.length <= this.#batchSize ? this.#queue : this.#queue.slice(0, this.#batchSize);
    this.#queue = batch === this.#queue ? [] : this.#queue.slice(this.#batchSize);
    if (this.#queue.length > 0) this.#immediate = setImmediate(() => this.#flushQueued());
    this.#out?.write(batch);
    const store = this.#store;
    if (!store) return;
    this.#writing = this.#writing.then(() => this.#write(store, batch));
  }

  async #write(store: EventStore & Partial<ResilientEventStore>, batch: readonly SecurityEvent[]): Promise<void> {
    const tries = this.#down ? (Date.now() >= this.#probeAt ? 1 : 0) : this.#attempts;
    let wait = this.#retryMs;
    let error: unknown = null;
    for (let i = 0; i < tries; i++) {
      if (i > 0) {
        await delay(wait);
        wait *= 4;
      }
      try {
        if (store.appendWaiting) store.appendWaiting(batch, this.#writeWaitMs);
        else await store.append(batch);
        this.#written += batch.length;
        if (this.#down || this.#spillWaiting) this.#recovered(store);
        return;
      } catch (err) {
        this.#failed++;
        error = err;
      }
    }
    if (!this.#down && error !== null)
      this.#onError(
        new EventSinkError(
          'E_EVENT_STORE',
          `the store refused ${batch.length} event(s) ${tries} time(s) (${codeOf(error)}): spilling to ${store.spill?.path ?? '(no spill file)'} until it takes writes again`,
        ),
      );
    this.#down = true;
    if (tries > 0) this.#probeAt = Date.now() + this.#probeMs;
    this.#spill(store, batch, error);
  }

  #spill(store: EventStore & Partial<ResilientEventStore>, batch: readonly SecurityEvent[], storeError: unknown): void {
    try {
      if (!store.spill) throw new Error('this store has no spill file');
      store.spill.append({ events: batch.map(encodeEvent) });
      this.#spilled += batch.length;
      this.#spillWaiting = true;
    } catch (err) {
      this.#lost += batch.length;
      if (this.#reportedLoss) return;
      this.#reportedLoss = true;
      this.#onError(
        new EventSinkError(
          'E_EVENT_LOST',
          `${batch.length} event(s) lost: the store refused them${storeError ? ` (${codeOf(storeError)})` : ''} and the spill file too (${codeOf(err)}); later losses are counted in the stats`,
        ),
      );
    }
  }

  /** The store took a batch again: take back what was spilled meanwhile, and say so. */
  #recovered(store: EventStore & Partial<ResilientEventStore>): void {
    this.#down = false;
    this.#reportedLoss = false;
    // One try per recovery: a file the store will not take back stays for the next start's open.
    this.#spillWaiting = false;
    try {
      const replay = store.replaySpill?.(this.#writeWaitMs) ?? { records: 0, unreadable: 0 };
      this.#replayed += replay.records;
      this.#onError(
        new EventSinkError(
          'E_EVENT_STORE',
          `the store takes writes again: ${replay.records} spilled record(s) replayed (${this.#spilled} spilled, ${this.#lost} lost so far)`,
        ),
      );
    } catch (err) {
      this.#onError(
        new EventSinkError(
          'E_EVENT_SPILL',
          `spilled events not replayed (${codeOf(err)}): ${store.spill?.path} is kept for the next start`,
        ),
      );
    }
  }
}

function codeOf(err: unknown): string {
  return (err as { code?: string }).code ?? String(err);
}
