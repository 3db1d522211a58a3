/**
 * A worker thread of `bansho analyze`: it loads the same rules and catalog as the main thread,
 * then answers each batch of lines it is sent (./batch.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCatalog, loadEngine } from '../catalog/index.js';
import type { CrsSettings } from '../config/crsSettings.js';
import type { NamedLists } from '../detect/compile.js';
import { cidrPredicate } from '../detect/operators/cidr.js';
import { BatchAnalyzer, type BatchRequest } from './batch.js';

export interface WorkerSetup {
  readonly lists: NamedLists;
  /** CIDRs of proxies in front of the logging server (config `trusted_proxies`). */
  readonly trustedProxies: readonly string[];
  /** The OWASP CRS to run beside the packs (config `crs`, `--crs`), or null. */
  readonly crs: CrsSettings | null;
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const catalog = loadCatalog();
  // src/crs only when asked for: it sets V8's regex flags for the whole process.
  const engine =
    setup.crs === null
      ? loadEngine({ lists: setup.lists })
      : (await import('../crs/index.js')).loadPacksWithCrs(setup.lists, setup.crs);
  const batches = new BatchAnalyzer(engine, (id) => catalog.get(id)?.name, cidrPredicate(setup.trustedProxies));
  port.on('message', (req: BatchRequest) => {
    const reply = batches.analyze(req);
    const transfer = [req.bytes.buffer as ArrayBuffer];
    if (reply.docs !== null) transfer.push(reply.docs.buffer as ArrayBuffer);
    port.postMessage(reply, transfer);
  });
}
