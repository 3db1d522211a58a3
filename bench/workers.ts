/**
 * How far a second process can take a proxy on this machine (issue 21: `serve --workers 2` ≥
 * 1.7× one process), measured rather than computed: the reference bare proxy
 * (bench/_referenceProxy.mjs) as one process and as a 2-process node:cluster — the primary
 * handing each connection over ('rr') or every worker accepting itself ('none', what bansho
 * does) —, nginx proxy_pass with 1 and 2 worker processes (one shared socket, and `reuseport`),
 * bansho with all rules on as `--workers 1` and `--workers 2`, and the same with the OWASP CRS
 * on (where ../shared/crs is; the gateway's work then dominates). Same upstream (nginx, a 1 KB
 * page), same wrk -t1 -c64 load, kept-alive and then a new connection per request; targets
 * alternated round by round.
 *
 * Per target: req/s, each process's CPU µs per request (user and kernel), wrk's and the
 * upstream's, the whole machine's (every process and softirq; what is left over is other work
 * on the machine), and how the 64 connections were spread over the processes mid-run.
 *
 * On a machine shared with other work, req/s here measures the scheduler's share, not the
 * proxies: a second process is a second claim on the cores. To measure the proxies, give the
 * run the cores (Linux, root; a session of its own, so other sessions keep their own share):
 *   setsid sh -c 'echo -19 > /proc/$$/autogroup; exec nice -n -19 npm run bench -- workers'
 * "other µs/req" near 0 says it had them.
 *
 * Options (environment): BENCH_RUNS (5), BENCH_SECONDS (5), BENCH_WORKERS_VS (another build's
 * bin/bansho.js, its --workers 1 and 2 alternated with this one's: an A/B in one run).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from './_builtCli.js';
import { answering, startNode, stopChild } from './_children.js';
import { capacity } from './_gatewaySaturated.js';
import { BROWSER, CRS } from './_gatewayWorkers.js';
import { nginxBinary, startNginx, startNginxStatic } from './_nginx.js';
import { cpuSplit, machineCpu, median, processTree } from './_processCpu.js';
import { hasWrk, wrk } from './_wrk.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;
const PAGE_BYTES = 1024;
const UPSTREAM_PORT = 28180;
const VS = process.env.BENCH_WORKERS_VS;
/**
 * wrk's 64 connections held for the whole run (how they were spread when wrk opened them
 * decides how evenly the processes share the work), and a new connection for every request
 * (where a primary that hands each one over pays for it).
 */
const LOADS = [
  { name: 'keep-alive', headers: [] },
  { name: 'a new connection per request (Connection: close)', headers: ['Connection: close'] },
];

interface Target {
  readonly family: string;
  readonly processes: number;
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Request header lines the target needs (the CRS refuses a request no browser would send). */
  readonly headers?: readonly string[];
}

interface Sample {
  readonly rps: number;
  /** CPU µs per request of the target's processes together, and of its kernel (system) part. */
  readonly gatewayUs: number;
  readonly gatewaySysUs: number;
  readonly wrkUs: number;
  readonly upstreamUs: number;
  /** Every core's busy time per request: all of the above, softirq, and anything else running. */
  readonly machineUs: number;
  /** The machine's softirq time per request (loopback TCP delivery, mostly), not in any process's. */
  readonly softirqUs: number;
  /** CPU µs per request of each of the target's processes (a cluster: the primary first). */
  readonly perProcessUs: readonly number[];
  /** Connections held by each of the target's processes mid-run, largest first. */
  readonly spread: readonly number[];
}

export async function run(): Promise<void> {
  const nginx = nginxBinary();
  if (!hasWrk() || nginx === null) {
    console.log('skipped: needs wrk and nginx (Debian: apt-get install wrk nginx-light)');
    return;
  }
  const builds = [{ label: '', cli: builtCli() }].concat(VS ? [{ label: ' (vs)', cli: VS }] : []);
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-bench-'));
  const children: ChildProcess[] = [];
  let port = UPSTREAM_PORT;
  try {
    const site = startNginxStatic(nginx, join(tmp, 'site'), UPSTREAM_PORT, PAGE_BYTES);
    children.push(site);
    await answering(UPSTREAM_PORT);
    const upstream = `http://127.0.0.1:${UPSTREAM_PORT}`;
    const targets: Target[] = [];
    const add = (
      family: string,
      processes: number,
      name: string,
      listen: number,
      child: ChildProcess,
      headers: readonly string[] = [],
    ) => {
      children.push(child);
      targets.push({ family, processes, name, port: listen, pid: child.pid, headers });
    };
    const reference = 'reference bare proxy';
    port++;
    add(
      reference,
      1,
      '1 process',
      port,
      await startNode(['bench/_referenceProxy.mjs', String(port), upstream], 'listening'),
    );
    for (const policy of ['rr', 'none']) {
      port++;
      const args = ['bench/_referenceCluster.mjs', '2', policy, String(port), upstream];
      add(reference, 2, `2, cluster ${policy}`, port, await startNode(args, 'up on'));
    }
    for (const [workers, reuseport] of [
      [1, false],
      [2, false],
      [2, true],
    ] as const) {
      port++;
      const child = startNginx(nginx, join(tmp, `nginx${port}`), port, UPSTREAM_PORT, workers, reuseport);
      add(
        'nginx proxy_pass',
        workers,
        `${workers} worker${workers > 1 ? 's' : ''}${reuseport ? ', reuseport' : ''}`,
        port,
        child,
      );
      await answering(port);
    }
    for (const { label, cli } of builds)
      for (const workers of [1, 2]) {
        port++;
        const args = [cli, 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${port}`, '--no-dashboard'];
        const child = await startNode(
          args.concat('--db', join(tmp, `bansho${port}.db`), '--workers', String(workers)),
          workers > 1 ? 'worker processes' : 'guarding',
        );
        add(`bansho${label}`, workers, `--workers ${workers}`, port, child);
      }
    // Where the gateway's own work dominates a request (the OWASP CRS on), wrk, the site and the
    // kernel take a smaller share of the cores, and two workers have more room.
    if (existsSync(CRS))
      for (const workers of [1, 2]) {
        port++;
        const args = [builds[0]?.cli ?? '', 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${port}`];
        const child = await startNode(
          args.concat('--no-dashboard', '--db', join(tmp, `crs${port}.db`), '--crs', CRS, '--workers', String(workers)),
          workers > 1 ? 'worker processes' : 'guarding',
        );
        add('bansho, CRS on', workers, `--workers ${workers}`, port, child, BROWSER);
      }

    // Warm-up: JIT, pools, every worker of a cluster.
    for (let i = 0; i < 2; i++)
      for (const t of targets) await wrk(`http://127.0.0.1:${t.port}/`, SECONDS, CONNECTIONS, t.headers);
    for (const load of LOADS) {
      const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
      const loads: number[] = [];
      for (let i = 0; i < RUNS; i++)
        for (const t of targets) {
          samples.get(t)?.push(await measure(t, site.pid, [...(t.headers ?? []), ...load.headers]));
          loads.push(loadavg()[0] ?? Number.NaN);
        }
      console.log(`\n${load.name}`);
      report(targets, samples, loads);
    }
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function measure(target: Target, upstreamPid: number | undefined, headers: readonly string[]): Promise<Sample> {
  const pids = processTree(target.pid);
  const cpu = () => [...pids, upstreamPid].map((p) => cpuSplit(p) ?? { user: Number.NaN, system: Number.NaN });
  const before = cpu();
  const machineBefore = machineCpu();
  let spread: number[] = [];
  const snapshot = setTimeout(
    () => {
      spread = connectionsByProcess(target.port, pids);
    },
    (SECONDS * 1000) / 2,
  );
  const r = await wrk(`http://127.0.0.1:${target.port}/`, SECONDS, CONNECTIONS, headers);
  clearTimeout(snapshot);
  const after = cpu();
  const machineAfter = machineCpu();
  if (r.errors > 0) throw new Error(`${target.family}, ${target.name}: ${r.errors} errors or non-2xx answers`);
  const us = (s: number) => (s * 1e6) / r.requests;
  const spent = after.map((a, i) => ({
    user: a.user - (before[i]?.user ?? Number.NaN),
    system: a.system - (before[i]?.system ?? Number.NaN),
  }));
  const own = spent.slice(0, pids.length);
  return {
    rps: r.rps,
    gatewayUs: us(own.reduce((a, s) => a + s.user + s.system, 0)),
    gatewaySysUs: us(own.reduce((a, s) => a + s.system, 0)),
    perProcessUs: own.map((s) => us(s.user + s.system)),
    wrkUs: us(r.cpuSeconds ?? Number.NaN),
    upstreamUs: us((spent[pids.length]?.user ?? Number.NaN) + (spent[pids.length]?.system ?? Number.NaN)),
    machineUs: machineBefore && machineAfter ? us(machineAfter.busy - machineBefore.busy) : Number.NaN,
    softirqUs: machineBefore && machineAfter ? us(machineAfter.softirq - machineBefore.softirq) : Number.NaN,
    spread,
  };
}

/** Established connections on `port` per process of `pids` (from ss), largest first. */
function connectionsByProcess(port: number, pids: readonly number[]): number[] {
  let out = '';
  try {
    out = execFileSync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const count = new Map<number, number>();
  for (const m of out.matchAll(/pid=(\d+),/g)) count.set(Number(m[1]), (count.get(Number(m[1])) ?? 0) + 1);
  return pids
    .map((p) => count.get(p) ?? 0)
    .filter((n) => n > 0)
    .sort((a, b) => b - a);
}

function report(targets: readonly Target[], samples: ReadonlyMap<Target, Sample[]>, loads: readonly number[]): void {
  const med = (t: Target, f: (s: Sample) => number) => median((samples.get(t) ?? []).map(f));
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
  console.log(
    `wrk -t1 -c${CONNECTIONS}, ${PAGE_BYTES} B page from nginx (static, 1 process); medians of ${RUNS} runs × ${SECONDS}s, targets alternated; ${availableParallelism()} cores; load average during the runs: median ${median(loads).toFixed(2)}, ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}\n`,
  );
  console.log(
    '| proxy | processes | req/s | ÷ 1 process | proxy CPU µs/req (kernel) | wrk µs/req | upstream µs/req | machine µs/req | softirq µs/req | other µs/req | per process µs/req | connections per process | ceiling ÷ 1 process |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|');
  for (const t of targets) {
    const one = targets.find((o) => o.family === t.family && o.processes === 1) ?? t;
    const rps = med(t, (s) => s.rps);
    const costs = (x: Target) => ({
      gatewayUs: med(x, (s) => s.gatewayUs),
      wrkUs: med(x, (s) => s.wrkUs),
      upstreamUs: med(x, (s) => s.upstreamUs),
    });
    const c = costs(t);
    const other = med(t, (s) => s.machineUs - s.softirqUs - s.gatewayUs - s.wrkUs - s.upstreamUs);
    const rows = (samples.get(t) ?? []).map((s) => s.perProcessUs);
    const perProcess = (rows[0] ?? []).map((_, i) => fmt(median(rows.map((r) => r[i] ?? Number.NaN)))).join(' + ');
    // Connections that last one request are seldom caught open: '—'.
    const spreads = (samples.get(t) ?? []).map((s) => (s.spread.length === 0 ? '—' : s.spread.join('/'))).join(', ');
    console.log(
      `| ${t.family} | ${t.name} | ${rps.toFixed(0)} | ${(rps / med(one, (s) => s.rps)).toFixed(2)}× | ${fmt(c.gatewayUs)} (${fmt(med(t, (s) => s.gatewaySysUs))}) | ${fmt(c.wrkUs)} | ${fmt(c.upstreamUs)} | ${fmt(med(t, (s) => s.machineUs))} | ${fmt(med(t, (s) => s.softirqUs))} | ${fmt(other)} | ${perProcess} | ${spreads} | ${(capacity(c, t.processes) / capacity(costs(one), 1)).toFixed(2)}× |`,
    );
  }
  console.log(
    "\nceiling: min(processes/proxy, 1/wrk, 1/upstream, cores/(proxy + wrk + upstream)) from each row's own costs, ÷ the same for its 1-process row — what the shared cores allow, were the processes perfectly balanced.",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
