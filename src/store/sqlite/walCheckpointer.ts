import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface CheckpointerOptions {
  /** How often the WAL is copied back into the database file. */
  readonly intervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

/**
 * The worker's code: a connection of its own that runs a PASSIVE checkpoint every interval.
 * Inline (eval) rather than a file beside this one, so it runs the same from the sources and
 * from the bundle; better-sqlite3 is loaded from the path the main thread resolved.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String(err && err.message || err));
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints of a WAL database off the event loop. SQLite copies the WAL back into the
 * database file (and fsyncs it) in whichever connection's commit crosses `wal_autocheckpoint`
 * pages: on a busy disk that one commit — a ban, a batch of events — blocks the event loop
 * for hundreds of milliseconds. With this running, the gateway's connection never checkpoints
 * (its commits only append to the WAL); a worker thread's connection does, every interval.
 * PASSIVE: it takes no lock writers wait on, and copies what no reader still needs.
 */
export class WalCheckpointer {
  readonly #db: Db;
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  private constructor(db: Db, options: CheckpointerOptions) {
    this.#db = db;
    const onError = options.onError ?? ((err) => process.stderr.write(`bansho: checkpoint: ${String(err)}\n`));
    this.#worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        intervalMs: options.intervalMs ?? 250,
      },
    });
    this.#worker.on('message', (message: string) => onError(new Error(message)));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        // Gone (stopped, or failed to start): the connection checkpoints on its own again.
        if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000');
        resolve();
      });
    });
    this.#worker.once('error', (err) => onError(err));
    this.#worker.unref();
    db.pragma('wal_autocheckpoint = 0');
  }

  /** Start checkpointing `db` in a worker; null for a database with no file (nothing to copy back). */
  static start(db: Db, options: CheckpointerOptions = {}): WalCheckpointer | null {
    if (db.memory || db.name === '') return null;
    return new WalCheckpointer(db, options);
  }

  /** Stop the worker; resolves once it closed its connection. */
  async stop(): Promise<void> {
    // Held until it is gone: unref'd, the process could end while the worker still holds its connection.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
