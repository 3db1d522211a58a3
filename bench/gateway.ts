/**
 * Gateway speed (issue 21), every peer in the same run, in front of one upstream (nginx serving
 * a 1 KB page where installed: the cheapest honest site; else bench/_upstream.ts):
 *
 * - saturated, wrk -t1 -c64: straight to the upstream, the reference bare proxy
 *   (bench/_referenceProxy.mjs: node:http + undici pool.stream, no rules), nginx `proxy_pass`
 *   (when installed), bansho with all rules on, one process and `--workers N`: req/s, p99, and
 *   CPU µs per request of each process — the path, wrk and the upstream share the cores, so
 *   the ceiling of N workers on this machine is computed from those costs (_gatewaySaturated.ts);
 * - one process and 2 workers with the CRS on, where the gateway's work dominates
 *   (_gatewayWorkers.ts);
 * - at a constant rate well below every path's capacity: p50 and p99, what bansho adds
 *   (_gatewayLatency.ts);
 * - a banned source's connections closed per gateway CPU-second, against node's floor, with the
 *   gateway refusing them itself and with the nftables ban backend resetting them in the kernel
 *   (_gatewayRejections.ts; the machine's kernel CPU counted beside the process's), and what a
 *   ban costs that backend (_nftBanCost.ts);
 * - a 512 MiB upload through bansho, its memory meanwhile (_upload.ts).
 *
 * Goals: bansho ≥ 0.9× the reference, ≥ 0.5× nginx, N workers ≥ 1.7× one on N free cores, p99
 * added ≤ 1 ms, rejections ≥ 5× served requests per CPU-second. On a machine shared with other
 * work, req/s follows whoever else wants the cores; CPU µs per request is the steadier figure.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBanStore } from '../src/store/sqlite/sqliteStore.js';
import { builtCli } from './_builtCli.js';
import { answering, startNode, stopChild } from './_children.js';
import { added, fixedRate } from './_gatewayLatency.js';
import { rejections, startKernelGateway } from './_gatewayRejections.js';
import {
  capacity,
  measure,
  medianOf,
  printSaturated,
  rotated,
  roundRatio,
  type Sample,
  type Target,
} from './_gatewaySaturated.js';
import { workersWithCrs } from './_gatewayWorkers.js';
import { nginxBinary, startNginx, startNginxStatic } from './_nginx.js';
import { median } from './_processCpu.js';
import { uploadThrough } from './_upload.js';
import { hasWrk, wrk } from './_wrk.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;
const WORKERS = Math.max(2, availableParallelism());
const PAGE_BYTES = 1024;
const PORT = {
  upstream: 28080,
  reference: 28001,
  nginx: 28003,
  one: 28000,
  many: 28004,
  floor: 28002,
  upload: 28005,
  uploadSite: 28081,
  crsOne: 28006,
  crsMany: 28007,
  kernel: 28008,
  handleFloor: 28009,
};
const REFERENCE = 'reference bare proxy';
const ONE = 'bansho, 1 process';
const MANY = `bansho, ${WORKERS} workers`;

const load = () => `load average ${loadavg()[0]?.toFixed(2)}`;

export async function run(): Promise<void> {
  if (!hasWrk()) {
    console.log('skipped: wrk is not installed (Debian: apt-get install wrk)');
    return;
  }
  // BENCH_GATEWAY=latency BENCH_RATE=N: the constant-rate part alone, at a rate given, not derived.
  if (process.env.BENCH_GATEWAY === 'latency') return latencyOnly(Number(process.env.BENCH_RATE));
  const cli = builtCli();
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-bench-'));
  const db = join(tmp, 'bench.db');
  const children: ChildProcess[] = [];
  try {
    const nginx = nginxBinary();
    const { upstream, upstreamChild, reference } = await startPeers(nginx, tmp, db, children);
    const serve = (listen: number, workers: number) =>
      startNode(
        [cli, 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${listen}`, '--db', db, '--no-dashboard'].concat(
          '--workers',
          String(workers),
        ),
        workers > 1 ? 'worker processes' : 'guarding',
      );
    const one = await serve(PORT.one, 1);
    children.push(one);
    const many = await serve(PORT.many, WORKERS);
    children.push(many);
    const targets: Target[] = [
      { name: 'direct upstream', port: PORT.upstream, pid: upstreamChild.pid },
      { name: REFERENCE, port: PORT.reference, pid: reference.pid },
    ];
    if (nginx) {
      const n = startNginx(nginx, join(tmp, 'nginx'), PORT.nginx, PORT.upstream);
      children.push(n);
      await answering(PORT.nginx);
      targets.push({ name: 'nginx proxy_pass', port: PORT.nginx, pid: n.pid });
    }
    targets.push({ name: ONE, port: PORT.one, pid: one.pid }, { name: MANY, port: PORT.many, pid: many.pid });

    // Warm-up: JIT, pools; a cluster warms each worker on its share, so longer than one run.
    for (const t of targets) await wrk(`http://127.0.0.1:${t.port}/`, Math.max(5, SECONDS), CONNECTIONS);
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    // Every path once per round, in an order rotated each round; ratios are also taken round by round.
    for (let i = 0; i < RUNS; i++)
      for (const t of rotated(targets, i))
        samples.get(t.name)?.push(await measure(t, upstreamChild.pid, SECONDS, CONNECTIONS));

    console.log(
      `wrk -t1 -c${CONNECTIONS}, ${PAGE_BYTES} B page from ${nginx ? 'nginx (static)' : 'bench/_upstream.ts'}, medians of ${RUNS} runs × ${SECONDS}s; ${availableParallelism()} cores; bansho with all rules on; ${load()}`,
    );
    if (!nginx) console.log('nginx: skipped, not installed (Debian: apt-get install nginx-light)');
    console.log('');
    printSaturated(targets, samples, REFERENCE);
    const med = (name: string, f: (s: Sample) => number) => medianOf(samples.get(name) ?? [], f);
    const perProcess = (samples.get(MANY) ?? []).map((s) => s.perProcessUs);
    const columns = (perProcess[0] ?? []).map((_, i) => median(perProcess.map((row) => row[i] ?? 0)));
    console.log(
      `\n${MANY}, CPU µs/req per process: primary ${columns[0]?.toFixed(1)}, workers ${columns
        .slice(1)
        .map((c) => c.toFixed(1))
        .join(', ')}`,
    );
    const oneRps = med(ONE, (s) => s.rps);
    const manyRps = med(MANY, (s) => s.rps);
    const inRound = (peer: string, f: (s: Sample) => number) =>
      roundRatio(samples.get(ONE) ?? [], samples.get(peer) ?? [], f);
    console.log(
      `bansho 1 process ÷ reference: ${(oneRps / med(REFERENCE, (s) => s.rps)).toFixed(2)}× req/s (goal ≥ 0.9); round by round, median of ${RUNS}: ${inRound(REFERENCE, (s) => s.rps).toFixed(2)}× req/s, reference CPU µs/req ÷ bansho's ${(1 / inRound(REFERENCE, (s) => s.cpuUs)).toFixed(2)}×`,
    );
    if (nginx)
      console.log(
        `bansho 1 process ÷ nginx: ${(oneRps / med('nginx proxy_pass', (s) => s.rps)).toFixed(2)}× req/s (goal ≥ 0.5); round by round, median of ${RUNS}: ${inRound('nginx proxy_pass', (s) => s.rps).toFixed(2)}×`,
      );
    const costs = (name: string) => ({
      gatewayUs: med(name, (s) => s.cpuUs),
      wrkUs: med(name, (s) => s.wrkUs),
      upstreamUs: med(name, (s) => s.upstreamUs),
    });
    const ceiling = capacity(costs(MANY), WORKERS) / capacity(costs(ONE), 1);
    console.log(
      `${WORKERS} workers ÷ 1 process: ${(manyRps / oneRps).toFixed(2)}× req/s; the ceiling on these ${availableParallelism()} cores with wrk and the upstream on them: ${ceiling.toFixed(2)}× (goal ≥ 1.7 on ${WORKERS} cores free for bansho)`,
    );
    console.log(
      `CPU per request, 1 process ÷ ${WORKERS} workers: ${(costs(ONE).gatewayUs / costs(MANY).gatewayUs).toFixed(2)} (1.00: splitting the work costs nothing; ${WORKERS} workers then reach ${WORKERS}× one on ${WORKERS} free cores)`,
    );
    console.log(
      `saturated p99 added by bansho (1 process) over direct: ${(med(ONE, (s) => s.p99) - med('direct upstream', (s) => s.p99)).toFixed(2)} ms`,
    );

    await workersWithCrs(
      cli,
      { url: upstream, pid: upstreamChild.pid },
      db,
      [PORT.crsOne, PORT.crsMany],
      RUNS,
      SECONDS,
      children,
    );

    // A quarter of the slower peer's saturated rate: every path has room, none queues.
    const rate = Math.max(
      100,
      Math.round(
        Math.min(
          oneRps,
          med(REFERENCE, (s) => s.rps),
        ) /
          4 /
          100,
      ) * 100,
    );
    const latencyTargets = targets.filter((t) => t.name !== 'nginx proxy_pass');
    const latency = await fixedRate(latencyTargets, rate, RUNS, SECONDS, CONNECTIONS);
    const p99 = (name: string) => latency.get(name)?.p99 ?? Number.NaN;
    console.log(
      `p99 added by bansho (1 process) at ${rate} req/s: ${(p99(ONE) - p99('direct upstream')).toFixed(2)} ms over direct, ${(p99(ONE) - p99(REFERENCE)).toFixed(2)} ms over the reference proxy (goal ≤ 1); in the same round, median over rounds: ${added(latency, ONE, REFERENCE).toFixed(2)} ms over the reference; ${load()}`,
    );

    // The nftables backend in front of the same site: the same single process, so its served cost is ONE's.
    const kernel = await startKernelGateway(
      [
        cli,
        'serve',
        '--upstream',
        upstream,
        '--listen',
        `127.0.0.1:${PORT.kernel}`,
        '--db',
        db,
        '--no-dashboard',
        '--workers',
        '1',
      ],
      tmp,
      children,
    );
    await rejections(
      [
        { name: ONE, port: PORT.one, pid: one.pid, servedCpuUs: costs(ONE).gatewayUs },
        { name: MANY, port: PORT.many, pid: many.pid, servedCpuUs: costs(MANY).gatewayUs },
      ],
      typeof kernel === 'string'
        ? kernel
        : {
            name: `${ONE}, --firewall nftables`,
            port: PORT.kernel,
            pid: kernel.pid,
            servedCpuUs: costs(ONE).gatewayUs,
          },
      { socket: PORT.floor, handle: PORT.handleFloor },
      RUNS,
      SECONDS,
      children,
    );
    // The upload needs a site that reads the whole body (nginx's static page answers at once).
    const site = await startNode(['--import', 'tsx', 'bench/_upstream.ts', String(PORT.uploadSite)], 'ready');
    children.push(site);
    const uploads = await startNode(
      [
        cli,
        'serve',
        '--upstream',
        `http://127.0.0.1:${PORT.uploadSite}`,
        '--listen',
        `127.0.0.1:${PORT.upload}`,
      ].concat(['--db', db, '--no-dashboard', '--workers', '1']),
      'guarding',
    );
    children.push(uploads);
    const size = 512 * 1024 * 1024;
    const up = await uploadThrough(PORT.upload, uploads.pid, size);
    if (up.before !== null && up.peak !== null)
      console.log(
        `\n512 MiB upload through bansho: ${(size / 1048576 / up.seconds).toFixed(0)} MiB/s; gateway RSS ${up.before.toFixed(0)} → peak ${up.peak.toFixed(0)} MiB (+${(up.peak - up.before).toFixed(0)}); ${load()}`,
      );
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The latency part alone (_gatewayLatency.ts) at `rate` req/s, as in the whole run: the upstream,
 * the reference and bansho (1 process, the same flags and database) warmed by wrk first, then
 * measured interleaved; for A/B runs between builds at a chosen load.
 */
async function latencyOnly(rate: number): Promise<void> {
  if (!(rate > 0)) throw new Error('BENCH_GATEWAY=latency needs BENCH_RATE, the offered rate in req/s');
  const cli = builtCli();
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-bench-'));
  const db = join(tmp, 'bench.db');
  const children: ChildProcess[] = [];
  try {
    const { upstream, upstreamChild, reference } = await startPeers(nginxBinary(), tmp, db, children);
    const one = await startNode(
      [cli, 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${PORT.one}`, '--db', db, '--no-dashboard'].concat(
        '--workers',
        '1',
      ),
      'guarding',
    );
    children.push(one);
    const targets: Target[] = [
      { name: 'direct upstream', port: PORT.upstream, pid: upstreamChild.pid },
      { name: REFERENCE, port: PORT.reference, pid: reference.pid },
      { name: ONE, port: PORT.one, pid: one.pid },
    ];
    for (const t of targets) await wrk(`http://127.0.0.1:${t.port}/`, Math.max(5, SECONDS), CONNECTIONS);
    const latency = await fixedRate(targets, rate, RUNS, SECONDS, CONNECTIONS);
    const p50 = (name: string) => latency.get(name)?.p50 ?? Number.NaN;
    console.log(
      `added by bansho (1 process) at ${rate} req/s, in the same round, median over rounds: p99 ${added(latency, ONE, REFERENCE).toFixed(2)} ms over the reference; p50 ${(p50(ONE) - p50(REFERENCE)).toFixed(2)} ms (medians); ${load()}`,
    );
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The site (answering), the churning client banned in `db`, and the reference proxy before it:
 * what every part of the run measures against. Children are pushed as they start, so a failed
 * start still stops those before it.
 */
async function startPeers(
  nginx: string | null,
  tmp: string,
  db: string,
  children: ChildProcess[],
): Promise<{ upstream: string; upstreamChild: ChildProcess; reference: ChildProcess }> {
  const upstreamChild = await startUpstream(nginx, tmp);
  children.push(upstreamChild);
  await answering(PORT.upstream);
  const upstream = `http://127.0.0.1:${PORT.upstream}`;
  await banTheChurner(db);
  const reference = await startNode(['bench/_referenceProxy.mjs', String(PORT.reference), upstream], 'listening');
  children.push(reference);
  return { upstream, upstreamChild, reference };
}

/** The site every path fronts (nginx's static page where installed, else bench/_upstream.ts); answering once `answering` says so. */
function startUpstream(nginx: string | null, tmp: string): Promise<ChildProcess> | ChildProcess {
  return nginx
    ? startNginxStatic(nginx, join(tmp, 'site'), PORT.upstream, PAGE_BYTES)
    : startNode(['--import', 'tsx', 'bench/_upstream.ts', String(PORT.upstream), String(PAGE_BYTES)], 'ready');
}

/** The churning client's address (127.0.0.2) banned in the database before the gateways start. */
async function banTheChurner(db: string): Promise<void> {
  const store = new SqliteBanStore(db);
  store.putSync({
    target: '127.0.0.2/32',
    since: Date.now(),
    until: Date.now() + 3_600_000,
    reason: 'bench',
    threatId: 'prettypark',
    offence: 1,
    origin: 'manual',
  });
  await store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
