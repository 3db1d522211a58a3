import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running module `name`, which sits beside the module that spawns it: both in
 * the sources and in the bundle (scripts/build.ts puts every entry and chunk in dist/cli/), so
 * `spawnerUrl` — the spawner's `import.meta.url` — finds it either way. From sources (tests,
 * `node --import tsx`) the worker must first register tsx's loader itself: loader hooks do not
 * reach worker threads.
 */
export function startModuleWorker(name: string, spawnerUrl: string, workerData: unknown): Worker {
  const ext = extname(fileURLToPath(spawnerUrl));
  const url = new URL(`./${name}${ext}`, spawnerUrl);
  if (ext !== '.ts') return new Worker(url, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
