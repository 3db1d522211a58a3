import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { CrsSettings } from '../config/crsSettings.js';
import type { NamedLists } from '../detect/compile.js';
import { startModuleWorker } from '../runtime/moduleWorker.js';
import type { AnalyzerOptions, EventSink } from './analyzer.js';
import { EVENTS_PER_SINK_CALL } from './analyzer.js';
import type { BatchReply, BatchRequest } from './batch.js';
import { openLogSource } from './input.js';
import { BufferPool, lineBatches } from './lineBatches.js';
import { type AnalyzeResult, analyzeEachFile, type FileReading, type ProgressSink } from './run.js';
import type { WorkerSetup } from './workerRules.js';

export interface ParallelOptions {
  /**
   * The worker threads, from `startAnalyzeWorkers`; the analysis closes them when done. Started
   * by the caller so they load their engines while the main thread is still setting up.
   */
  readonly workers: AnalyzeWorkers;
  /** The `--format` given, if any (workers compile it themselves). */
  readonly formatSpec?: string;
  /** Batch size in bytes (small in tests, to exercise ordering across many batches). */
  readonly batchBytes?: number;
}

/** Default worker count: one per core, at most 4 (the engine is CPU-bound; SQLite stays on the main thread). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

const BATCH_BYTES = 512 * 1024;
/**
 * Batches queued per worker: enough work (about half a second) to keep it busy while this
 * thread writes a transaction of events to SQLite, at a few megabytes of memory.
 */
const IN_FLIGHT_PER_WORKER = 8;

/**
 * `analyzeFiles` on several cores. The main thread reads (and gunzips), cuts the byte stream
 * at line ends into batches, and hands them round-robin to workers; replies are taken back in
 * order, so line numbers, occurrence counts — hence event ids — are exactly those of the
 * single-threaded analyzer. Events reach the sink from the main thread only.
 */
export async function analyzeFilesParallel(
  paths: readonly string[],
  options: AnalyzerOptions,
  sink: EventSink,
  parallel: ParallelOptions,
  progress?: ProgressSink,
): Promise<AnalyzeResult> {
  const pool = parallel.workers;
  const batchBytes = parallel.batchBytes ?? BATCH_BYTES;
  // Every batch in flight, the one being filled and a spare: buffers come back with replies.
  const buffers = new BufferPool(batchBytes, pool.size * IN_FLIGHT_PER_WORKER + 2);
  try {
    return await analyzeEachFile(paths, options, sink, progress, (path, analyzer, drain): FileReading => {
      let formatKey: string | null = null;
      let seq = 0;
      let nextToAccept = 0;
      const waiting = new Map<number, BatchReply>();
      const pending: Array<Promise<void>> = [];
      let rawBytes = 0;
      const accept = (reply: BatchReply): void => {
        waiting.set(reply.seq, reply);
        for (let r = waiting.get(nextToAccept); r; r = waiting.get(nextToAccept)) {
          waiting.delete(nextToAccept);
          analyzer.acceptBatch(path, r);
          // Only now: the batch's signals were read from its bytes.
          buffers.give(r.bytes.buffer as ArrayBuffer);
          progress?.advance(0, r.lines);
          nextToAccept++;
        }
      };
      const dispatch = async (bytes: Uint8Array): Promise<void> => {
        if (formatKey === null) {
          const sample = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64 * 1024))
            .toString('latin1')
            .split('\n')
            .slice(0, 64);
          const format = analyzer.prepareFile(path, sample);
          formatKey = parallel.formatSpec
            ? `fixed:${parallel.formatSpec}`
            : `auto:${format.name.replace(/^auto:?/, '')}`;
        }
        const request: BatchRequest = {
          seq: seq++,
          format: formatKey,
          bytes,
          fallbackTime: 0,
          identity: analyzer.identityOf(path),
          fileJson: JSON.stringify(path),
        };
        const p = pool.run(request).then(accept);
        pending.push(p);
        if (pending.length >= pool.size * IN_FLIGHT_PER_WORKER) {
          await pending.shift();
          if (analyzer.pendingEvents >= EVENTS_PER_SINK_CALL) await drain.flush();
        }
      };
      return {
        async read() {
          const input = await openLogSource(path, (n) => {
            rawBytes += n;
          });
          progress?.start(input.size);
          try {
            for await (const batch of lineBatches(input.source, buffers, 4 * batchBytes)) {
              progress?.advance(rawBytes, 0);
              rawBytes = 0;
              await dispatch(batch);
            }
          } finally {
            await input.source.close();
          }
        },
        // A worker's failure is the run's, not the file's: it is thrown from here.
        async settle() {
          await Promise.all(pending);
          if (formatKey === null) analyzer.prepareFile(path, []);
        },
      };
    });
  } finally {
    await pool.close();
  }
}

/** Worker threads analysing batches of lines, each with its own engine. */
export interface AnalyzeWorkers {
  readonly size: number;
  run(request: BatchRequest): Promise<BatchReply>;
  close(): Promise<void>;
}

/**
 * Start `size` workers for an analysis; each loads the rules (with `lists`) and catalog at once.
 * The caller hands them to `analyzeFilesParallel`, which closes them.
 */
export function startAnalyzeWorkers(
  size: number,
  lists: NamedLists,
  trustedProxies: readonly string[] = [],
  crs: CrsSettings | null = null,
): AnalyzeWorkers {
  const setup: WorkerSetup = { lists, trustedProxies, crs };
  const workers = Array.from({ length: size }, () => startModuleWorker('analyzeWorker', import.meta.url, setup));
  const waiting = new Map<number, { resolve: (r: BatchReply) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  // Batches each worker holds: a new batch goes to the least busy, so none idles at the end
  // while another still works through a queue.
  const queued = workers.map(() => 0);
  for (const [i, w] of workers.entries()) {
    w.on('message', (reply: BatchReply) => {
      queued[i] = (queued[i] as number) - 1;
      waiting.get(reply.seq)?.resolve(reply);
      waiting.delete(reply.seq);
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
  }
  return {
    size,
    run(request) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.set(request.seq, { resolve, reject });
        const i = queued.indexOf(Math.min(...queued));
        queued[i] = (queued[i] as number) + 1;
        (workers[i] as Worker).postMessage(request, [request.bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
