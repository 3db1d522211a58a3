/**
 * bench/gateway.ts, workers where the gateway's own work dominates: with the OWASP CRS on, a
 * request costs the gateway several times what it costs wrk and the upstream, so the shared
 * cores leave room for a second worker, and the ceiling (capacity in _gatewaySaturated.ts)
 * nears 2×. One process and 2 workers, interleaved; a browser's request, which CRS forwards.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode } from './_children.js';
import { capacity, measure, medianOf, type Sample } from './_gatewaySaturated.js';

/** The CRS v4 rules beside the project (../shared/crs), as the CRS benches load them. */
export const CRS = join(fileURLToPath(new URL('../', import.meta.url)), '..', 'shared', 'crs');
/** A browser's request headers: CRS judges an ordinary page visit. */
export const BROWSER = [
  'Host: www.example.org',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language: en-US,en;q=0.5',
];

export async function workersWithCrs(
  cli: string,
  upstream: { url: string; pid: number | undefined },
  db: string,
  ports: readonly [number, number],
  runs: number,
  seconds: number,
  children: ChildProcess[],
): Promise<void> {
  if (!existsSync(CRS)) {
    console.log(`\nworkers with the CRS on: skipped, no CRS at ${CRS}`);
    return;
  }
  const targets = await Promise.all(
    [1, 2].map(async (workers, i) => {
      const port = ports[i] as number;
      const child = await startNode(
        [
          cli,
          'serve',
          '--upstream',
          upstream.url,
          '--listen',
          `127.0.0.1:${port}`,
          '--db',
          db,
          '--no-dashboard',
        ].concat(['--crs', CRS, '--workers', String(workers)]),
        workers > 1 ? 'worker processes' : 'guarding',
      );
      children.push(child);
      return { name: `${workers}`, port, pid: child.pid };
    }),
  );
  // The CRS's code paths take longer to warm than the packs' alone.
  for (let i = 0; i < 2; i++) for (const t of targets) await measure(t, upstream.pid, seconds, 64, BROWSER);
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
  for (let i = 0; i < runs; i++)
    for (const t of targets) samples.get(t.name)?.push(await measure(t, upstream.pid, seconds, 64, BROWSER));
  const med = (name: string, f: (s: Sample) => number) => medianOf(samples.get(name) ?? [], f);
  const costs = (name: string) => ({
    gatewayUs: med(name, (s) => s.cpuUs),
    wrkUs: med(name, (s) => s.wrkUs),
    upstreamUs: med(name, (s) => s.upstreamUs),
  });
  console.log(
    `\nwith the CRS on (${costs('1').gatewayUs.toFixed(0)} CPU µs/req in the gateway): 1 process ${med('1', (s) => s.rps).toFixed(0)} req/s, 2 workers ${med('2', (s) => s.rps).toFixed(0)} req/s: ${(med('2', (s) => s.rps) / med('1', (s) => s.rps)).toFixed(2)}× (ceiling on these cores ${(capacity(costs('2'), 2) / capacity(costs('1'), 1)).toFixed(2)}×; CPU per request 1 ÷ 2: ${(costs('1').gatewayUs / costs('2').gatewayUs).toFixed(2)})`,
  );
}
