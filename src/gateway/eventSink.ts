import { createWriteStream, type WriteStream } from 'node:fs';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { EventStore } from '../store/types.js';

export interface EventSinkOptions {
  readonly store: EventStore | null;
  /** A file to append JSON lines to, `-` for stdout, or null. */
  readonly jsonLines: string | null;
  /** Flush when this many events are queued… */
  readonly batchSize?: number;
  /** …or this long after the first queued event. */
  readonly flushMs?: number;
  readonly onError?: (err: unknown) => void;
  /** Called for every event as it is queued (the demo prints them). */
  readonly onEvent?: (event: SecurityEvent) => void;
}

/**
 * The gateway's event writer. `push` only queues (the request path never touches the
 * database); the queue is written in one transaction on the next turn of the event loop once
 * it is full, or after a short delay, whichever comes first.
 */
export class EventSink {
  readonly #store: EventStore | null;
  readonly #out: WriteStream | NodeJS.WriteStream | null;
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #onEvent: ((event: SecurityEvent) => void) | null;
  #queue: SecurityEvent[] = [];
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #writing: Promise<void> = Promise.resolve();
  #written = 0;

  constructor(options: EventSinkOptions) {
    this.#store = options.store;
    this.#batchSize = options.batchSize ?? 256;
    this.#flushMs = options.flushMs ?? 100;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: event write failed: ${String(err)}\n`));
    this.#onEvent = options.onEvent ?? null;
    if (options.jsonLines === '-') this.#out = process.stdout;
    else if (options.jsonLines) this.#out = createWriteStream(options.jsonLines, { flags: 'a' });
    else this.#out = null;
  }

  /** Events handed to the store so far (for tests and metrics). */
  get written(): number {
    return this.#written;
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

  /** Write everything queued; resolves when it is in the store. */
  flush(): Promise<void> {
    this.#flushQueued();
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    const out = this.#out;
    if (out && out !== process.stdout) await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
  }

  #flushQueued(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    if (this.#out) {
      let text = '';
      for (const e of batch) text += `${JSON.stringify(e)}\n`;
      this.#out.write(text);
    }
    const store = this.#store;
    if (!store) return;
    this.#writing = this.#writing
      .then(() => store.append(batch))
      .then(
        () => {
          this.#written += batch.length;
        },
        (err: unknown) => this.#onError(err),
      );
  }
}
