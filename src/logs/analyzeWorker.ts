/**
 * A worker thread of `bansho analyze`: it loads the same rules and catalog as the main thread,
 * then answers each batch of lines it is sent (./batch.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalog, loadEngine } from '../catalog/index.js';
import type { NamedLists } from '../detect/compile.js';
import { cidrPredicate } from '../detect/operators/cidr.js';
import { BatchAnalyzer, type BatchRequest } from './batch.js';

export interface WorkerSetup {
  readonly lists: NamedLists;
  /** CIDRs of proxies in front of the logging server (config `trusted_proxies`). */
  readonly trustedProxies: readonly string[];
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const catalog = loadCatalog();
  const batches = new BatchAnalyzer(
    loadEngine({ lists: setup.lists }),
    (id) => catalog.get(id)?.name,
    cidrPredicate(setup.trustedProxies),
  );
  port.on('message', (req: BatchRequest) => port.postMessage(batches.analyze(req), [req.bytes.buffer as ArrayBuffer]));
}
