import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, type Stats, statSync, unlinkSync } from 'node:fs';
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface QuarantineSettings {
  readonly dir: string;
  readonly maxMessageBytes: number;
  readonly maxTotalBytes: number;
  readonly retentionMs: number;
}

/** A message kept: where, how big, its hash; `id` is the queue id the abuser was told. */
export type QuarantineResult =
  | {
      readonly kind: 'stored';
      readonly id: string;
      readonly file: string;
      readonly bytes: number;
      readonly sha256: string;
    }
  /** The quarantine holds `max_total` already: the abuser is told `452`, the message is not kept. */
  | { readonly kind: 'full'; readonly id: string }
  | { readonly kind: 'failed'; readonly id: string; readonly code: string };

export class QuarantineError extends Error {
  readonly code = 'E_QUARANTINE';
}

/** Only names of this shape are ever written, read or removed: 12 hex digits, our own. */
const FILE_NAME = /^[0-9A-F]{12}\.eml$/;

/**
 * Where the honeypot keeps the messages it never delivers: one file per message (mode 0600, in a
 * 0700 directory), named by a random queue id — nothing the abuser sends is part of a path. The
 * directory's total is bounded (a message past it is refused, not stored), and files older than
 * the retention are removed at start and every hour.
 */
export class Quarantine {
  readonly dir: string;
  readonly #settings: QuarantineSettings;
  /** Bytes in our files, and bytes of writes in flight (counted before they land). */
  #total = 0;
  #inFlight = 0;
  readonly #sweeper: NodeJS.Timeout;
  readonly #writes = new Set<Promise<unknown>>();

  private constructor(settings: QuarantineSettings) {
    this.#settings = settings;
    this.dir = resolve(settings.dir);
    this.#sweeper = setInterval(() => void this.sweep(Date.now()), 3_600_000);
    this.#sweeper.unref();
  }

  /** Create the directory (0700) if needed, count what it holds, drop what is past retention. */
  static open(settings: QuarantineSettings, now = Date.now()): Quarantine {
    const q = new Quarantine(settings);
    try {
      mkdirSync(q.dir, { recursive: true, mode: 0o700 });
      chmodSync(q.dir, 0o700);
    } catch (err) {
      clearInterval(q.#sweeper);
      throw new QuarantineError(`quarantine ${q.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    // Counted at once at start (a restart must not forget what the directory holds), hourly in the background.
    let total = 0;
    for (const name of ownFiles(readdirSync(q.dir))) {
      const file = join(q.dir, name);
      total += q.#keepOrRemove(
        statOrNull(() => statSync(file)),
        now,
        () => unlinkSync(file),
      );
    }
    q.#total = total;
    return q;
  }

  /** Bytes held by the quarantine's own files. */
  get totalBytes(): number {
    return this.#total;
  }

  /**
   * Keep one message: `head` (the envelope as Return-Path and Received lines, as Bubblegum
   * proxypot wrote them) and the data as sent. Never more than max_message bytes of data.
   */
  async store(head: string, data: Buffer): Promise<QuarantineResult> {
    const id = newQueueId();
    const body = Buffer.concat([Buffer.from(head, 'latin1'), data.subarray(0, this.#settings.maxMessageBytes)]);
    if (this.#total + this.#inFlight + body.length > this.#settings.maxTotalBytes) return { kind: 'full', id };
    const name = `${id}.eml`;
    if (!FILE_NAME.test(name)) throw new QuarantineError(`not a quarantine name: ${name}`);
    const file = join(this.dir, name);
    this.#inFlight += body.length;
    const write = writeFile(file, body, { mode: 0o600, flag: 'wx' });
    this.#writes.add(write);
    try {
      await write;
      this.#total += body.length;
    } catch (err) {
      return { kind: 'failed', id, code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
    } finally {
      this.#inFlight -= body.length;
      this.#writes.delete(write);
    }
    return { kind: 'stored', id, file, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  }

  /** Remove our files older than the retention and count the rest. */
  async sweep(now: number): Promise<void> {
    let total = 0;
    for (const name of ownFiles(await readdir(this.dir).catch(() => []))) {
      const file = join(this.dir, name);
      const st = await stat(file).catch(() => null);
      total += this.#keepOrRemove(st, now, () => void unlink(file).catch(() => {}));
    }
    this.#total = total;
  }

  /** The bytes a file still counts for: 0 when it is gone or past retention (then removed). */
  #keepOrRemove(st: Stats | null, now: number, remove: () => void): number {
    if (st === null || !st.isFile()) return 0;
    if (now - st.mtimeMs <= this.#settings.retentionMs) return st.size;
    try {
      remove();
    } catch {
      // Already gone.
    }
    return 0;
  }

  /** Wait for writes in flight, stop the hourly sweep. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#writes]);
  }
}

function ownFiles(names: readonly string[]): string[] {
  return names.filter((n) => FILE_NAME.test(n));
}

function statOrNull(read: () => Stats): Stats | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** A Postfix-like queue id: 12 upper-case hex digits from 48 random bits. */
function newQueueId(): string {
  return randomBytes(6).toString('hex').toUpperCase();
}
