/**
 * A worker thread of `bansho analyze`: it loads the same rules and catalog as the main thread
 * (./workerRules.ts), then answers each batch of lines it is sent (./batch.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { cidrPredicate } from '../detect/operators/cidr.js';
import { BatchAnalyzer, type BatchRequest } from './batch.js';
import { loadWorkerRules, type WorkerSetup } from './workerRules.js';

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const { engine, catalog } = await loadWorkerRules(setup);
  const batches = new BatchAnalyzer(engine, (id) => catalog.get(id)?.name, cidrPredicate(setup.trustedProxies));
  port.on('message', (req: BatchRequest) => {
    const reply = batches.analyze(req);
    const transfer = [req.bytes.buffer, reply.hits.buffer, reply.signals.buffer] as ArrayBuffer[];
    if (reply.docs !== null) transfer.push(reply.docs.buffer as ArrayBuffer);
    port.postMessage(reply, transfer);
  });
}
