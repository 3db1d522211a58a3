import { createWriteStream, type WriteStream } from 'node:fs';
import type { SecurityEvent } from './securityEvent.js';

export class OutputError extends Error {
  readonly code = 'E_EVENT_OUTPUT';
}

/** Output waiting for a slow reader beyond this is not queued: the process must not grow without end. */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * Events as JSON lines to a file (appended) or to stdout (`-`), for a log pipeline. The output
 * is a copy: when it fails (a full disk, a file not writable, a reader that went away) that is
 * reported once, the events it misses are counted, and the process goes on — the store still
 * gets every event. A reader too slow to keep up loses lines (counted) rather than memory.
 */
export class JsonLinesOutput {
  readonly #name: string;
  readonly #onError: (err: unknown) => void;
  #out: WriteStream | NodeJS.WriteStream | null;
  #broken = false;
  #behind = false;
  #failed = 0;

  constructor(target: string, onError: (err: unknown) => void) {
    this.#name = target === '-' ? 'standard output' : target;
    this.#onError = onError;
    this.#out = target === '-' ? process.stdout : createWriteStream(target, { flags: 'a' });
    this.#out.on('error', (err: NodeJS.ErrnoException) => this.#fail(err));
  }

  /** Events not written to the output (after it failed, or while its reader lagged). */
  get failed(): number {
    return this.#failed;
  }

  write(events: readonly SecurityEvent[]): void {
    const out = this.#out;
    if (out === null) {
      this.#failed += events.length;
      return;
    }
    if (out.writableLength > MAX_BACKLOG_BYTES) {
      this.#failed += events.length;
      if (!this.#behind)
        this.#onError(
          new OutputError(`JSON lines to ${this.#name}: the reader is not keeping up; lines skipped (counted)`),
        );
      this.#behind = true;
      return;
    }
    this.#behind = false;
    let text = '';
    for (const e of events) text += `${JSON.stringify(e)}\n`;
    out.write(text, (err) => {
      if (err) this.#failed += events.length;
    });
  }

  /** Finish writing a file (stdout stays open for the process). */
  async close(): Promise<void> {
    const out = this.#out;
    this.#out = null;
    if (out === null || out === process.stdout) return;
    await new Promise<void>((resolve) => (out as WriteStream).end(() => resolve()));
  }

  #fail(err: NodeJS.ErrnoException): void {
    if (this.#broken) return;
    this.#broken = true;
    if (this.#out !== process.stdout) this.#out?.destroy();
    this.#out = null;
    this.#onError(
      new OutputError(
        `JSON lines to ${this.#name} failed (${err.code ?? err.message}): no more lines go there; events still go to the store`,
      ),
    );
  }
}
