/**
 * Gateway throughput (issue 21): wrk -t1 -c64 on a 1 KB page, straight to the upstream, through
 * the reference bare proxy (bench/_referenceProxy.mjs: node:http + undici pool.stream, no
 * rules), through nginx `proxy_pass` (when installed), and through bansho with all rules on,
 * one process and `--workers N` — req/s, p99, CPU µs per request (of the whole process tree:
 * the primary and its workers) and each ratio to the reference, medians of several runs in
 * the same run. Then connections/s that a banned source has closed at accept, against the
 * requests bansho serves, per CPU-second of the gateway. Goals: bansho ≥ 0.9× the reference,
 * N workers ≥ 1.7× one (on N free cores), ≥ 0.5× nginx, rejections ≥ 5× served per CPU-second.
 *
 * On a machine shared with other work, req/s follows whoever else wants the cores; CPU µs per
 * request is the steadier figure, and the one to compare.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SqliteBanStore } from '../src/store/sqlite/sqliteStore.js';
import { builtCli } from './_builtCli.js';
import { nginxBinary, startNginx } from './_nginx.js';
import { hasWrk, wrk } from './_wrk.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;
const WORKERS = Math.max(2, availableParallelism());

/** Start `node ARGS` and resolve once it prints `readyText`. */
function start(args: string[], readyText: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      if (seen.includes(readyText)) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${seen}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Wait until something answers HTTP on `port` (nginx says nothing when it is ready). */
async function answering(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** Open connections from `localAddress` as fast as they are closed; count the closes per second. */
function connectionChurn(
  port: number,
  localAddress: string,
  payload: string,
  seconds: number,
  inFlight = 64,
): Promise<{ perSecond: number; withResponse: number }> {
  return new Promise((resolve) => {
    let closed = 0;
    let answered = 0;
    let running = true;
    const started = process.hrtime.bigint();
    const open = () => {
      if (!running) return;
      const s = connect({ host: '127.0.0.1', port, localAddress });
      let got = false;
      s.on('connect', () => s.write(payload));
      s.on('data', () => {
        got = true;
      });
      s.on('error', () => {});
      s.on('close', () => {
        closed++;
        if (got) answered++;
        open();
      });
    };
    for (let i = 0; i < inFlight; i++) open();
    setTimeout(() => {
      running = false;
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ perSecond: closed / elapsed, withResponse: answered });
    }, seconds * 1000);
  });
}

/** Resident memory of a process in MiB, from /proc; null where there is no /proc. */
function rssMiB(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Stream `size` bytes through the gateway as one POST (generated on the fly) and sample the
 * gateway's resident memory meanwhile: a streamed body keeps it flat, a buffered one grows by `size`.
 */
async function uploadThrough(
  port: number,
  pid: number | undefined,
  size: number,
): Promise<{ seconds: number; before: number | null; peak: number | null }> {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => {
    const now = rssMiB(pid);
    if (now !== null && (peak === null || now > peak)) peak = now;
  }, 20);
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/upload', headers: { 'content-length': size } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`upload: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
  clearInterval(sampler);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, before, peak };
}

/** CPU seconds (user + system) a process has used so far, from /proc; null where there is no /proc. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** A process and its children (`serve --workers N`: the primary and its workers). */
function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [pid];
  }
  return [pid, ...children.flatMap((c) => processTree(c))];
}

/** Run `work` and return its result with the CPU seconds the gateway process spent meanwhile. */
async function withCpu<T>(pid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpu: number | null }> {
  const before = cpuSeconds(pid);
  const result = await work();
  const after = cpuSeconds(pid);
  return { result, cpu: before === null || after === null ? null : after - before };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

interface Target {
  readonly name: string;
  readonly port: number;
  /** The process whose tree's CPU is counted; null: not measured (the upstream itself). */
  readonly pid: number | undefined;
}

interface Sample {
  readonly rps: number;
  readonly p99: number;
  /** CPU µs per request of the whole tree, and of each process in it. */
  readonly cpuUs: number | null;
  readonly perProcessUs: number[];
}

async function measure(target: Target): Promise<Sample> {
  const pids = processTree(target.pid);
  const before = pids.map((p) => cpuSeconds(p));
  const r = await wrk(`http://127.0.0.1:${target.port}/`, SECONDS, CONNECTIONS);
  if (r.errors > 0) throw new Error(`${target.name}: ${r.errors} errors or non-2xx answers`);
  const after = pids.map((p) => cpuSeconds(p));
  const perProcessUs = pids.map((_, i) => {
    const a = after[i];
    const b = before[i];
    return a == null || b == null ? Number.NaN : ((a - b) * 1e6) / r.requests;
  });
  const cpuUs = perProcessUs.some(Number.isNaN) ? null : perProcessUs.reduce((x, y) => x + y, 0);
  return { rps: r.rps, p99: r.p99, cpuUs, perProcessUs };
}

export async function run(): Promise<void> {
  if (!hasWrk()) {
    console.log('skipped: wrk is not installed (Debian: apt-get install wrk)');
    return;
  }
  const cli = builtCli();
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-bench-'));
  const db = join(tmp, 'bench.db');
  const children: ChildProcess[] = [];
  try {
    const port = { upstream: 28080, reference: 28001, nginx: 28003, one: 28000, many: 28004, floor: 28002 };
    const upstreamChild = await start(
      ['--import', 'tsx', 'bench/_upstream.ts', String(port.upstream), '1024'],
      'ready',
    );
    children.push(upstreamChild);
    const upstream = `http://127.0.0.1:${port.upstream}`;
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
    const reference = await start(['bench/_referenceProxy.mjs', String(port.reference), upstream], 'listening');
    children.push(reference);
    const serve = (listen: number, workers: number) =>
      start(
        [cli, 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${listen}`, '--db', db, '--no-dashboard'].concat(
          '--workers',
          String(workers),
        ),
        workers > 1 ? 'worker processes' : 'guarding',
      );
    const one = await serve(port.one, 1);
    children.push(one);
    const many = await serve(port.many, WORKERS);
    children.push(many);
    const targets: Target[] = [
      { name: 'direct upstream', port: port.upstream, pid: upstreamChild.pid },
      { name: 'reference bare proxy', port: port.reference, pid: reference.pid },
    ];
    const nginx = nginxBinary();
    if (nginx) {
      const n = startNginx(nginx, join(tmp, 'nginx'), port.nginx, port.upstream);
      children.push(n);
      await answering(port.nginx);
      targets.push({ name: 'nginx proxy_pass', port: port.nginx, pid: n.pid });
    }
    targets.push({ name: 'bansho, 1 process', port: port.one, pid: one.pid });
    targets.push({ name: `bansho, ${WORKERS} workers`, port: port.many, pid: many.pid });

    // Warm-up: JIT, pools; a cluster warms each worker on its share, so longer than one run.
    for (const t of targets) await wrk(`http://127.0.0.1:${t.port}/`, Math.max(5, SECONDS), CONNECTIONS);
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (let i = 0; i < RUNS; i++) for (const t of targets) samples.get(t.name)?.push(await measure(t));

    const med = (name: string, f: (s: Sample) => number | null): number | null => {
      const xs = (samples.get(name) ?? []).map(f).filter((x): x is number => x !== null);
      return xs.length === 0 ? null : median(xs);
    };
    const refRps = med('reference bare proxy', (s) => s.rps) ?? 1;
    const refCpu = med('reference bare proxy', (s) => s.cpuUs);
    console.log(
      `wrk -t1 -c${CONNECTIONS}, 1 KB page, medians of ${RUNS} runs × ${SECONDS}s; ${availableParallelism()} cores; bansho with all rules on`,
    );
    if (!nginx) console.log('nginx: skipped, not installed (Debian: apt-get install nginx-light)');
    console.log('');
    console.log('| path | req/s | p99 ms | CPU µs/req | req/s ÷ reference | reference CPU ÷ this CPU |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const t of targets) {
      const rps = med(t.name, (s) => s.rps) ?? 0;
      const p99 = med(t.name, (s) => s.p99) ?? 0;
      const cpu = med(t.name, (s) => s.cpuUs);
      const cpuRatio = cpu !== null && refCpu !== null ? `${(refCpu / cpu).toFixed(2)}×` : '—';
      console.log(
        `| ${t.name} | ${rps.toFixed(0)} | ${p99.toFixed(2)} | ${cpu === null ? '—' : cpu.toFixed(1)} | ${(rps / refRps).toFixed(2)}× | ${cpuRatio} |`,
      );
    }
    const manyName = `bansho, ${WORKERS} workers`;
    const perProcess = (samples.get(manyName) ?? []).map((s) => s.perProcessUs);
    if (perProcess.length > 0) {
      const columns = (perProcess[0] ?? []).map((_, i) => median(perProcess.map((row) => row[i] ?? 0)));
      console.log(
        `\n${manyName}, CPU µs/req per process: primary ${columns[0]?.toFixed(1)}, workers ${columns
          .slice(1)
          .map((c) => c.toFixed(1))
          .join(', ')}`,
      );
    }
    const oneRps = med('bansho, 1 process', (s) => s.rps) ?? 0;
    const oneCpu = med('bansho, 1 process', (s) => s.cpuUs);
    const manyRps = med(manyName, (s) => s.rps) ?? 0;
    const directP99 = med('direct upstream', (s) => s.p99) ?? 0;
    const oneP99 = med('bansho, 1 process', (s) => s.p99) ?? 0;
    console.log(`bansho 1 process ÷ reference: ${(oneRps / refRps).toFixed(2)}× req/s (goal ≥ 0.9)`);
    console.log(`p99 added by bansho (1 process) over direct: ${(oneP99 - directP99).toFixed(2)} ms (goal ≤ 1)`);
    console.log(
      `${WORKERS} workers ÷ 1 process: ${(manyRps / oneRps).toFixed(2)}× req/s (goal ≥ 1.7 with ${WORKERS} cores free for bansho; wrk and the upstream share them here)`,
    );
    if (nginx) {
      const nginxRps = med('nginx proxy_pass', (s) => s.rps) ?? 1;
      console.log(`bansho 1 process ÷ nginx: ${(oneRps / nginxRps).toFixed(2)}× req/s (goal ≥ 0.5)`);
    }
    await rejections(port.one, port.floor, one.pid, oneCpu, children);
    const size = 512 * 1024 * 1024;
    const up = await uploadThrough(port.one, one.pid, size);
    if (up.before !== null && up.peak !== null)
      console.log(
        `512 MiB upload through bansho: ${(size / 1048576 / up.seconds).toFixed(0)} MiB/s; gateway RSS ${up.before.toFixed(0)} → peak ${up.peak.toFixed(0)} MiB (+${(up.peak - up.before).toFixed(0)})`,
      );
  } finally {
    for (const c of children.reverse()) await stop(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A banned source (127.0.0.2) opening connections as fast as they are closed, against the
 * 1-process gateway: closes per second, and per CPU-second of the gateway against the requests
 * it serves per CPU-second; next to a bare net.Server that only resets (node's floor).
 */
async function rejections(
  port: number,
  floorPort: number,
  pid: number | undefined,
  servedCpuUs: number | null,
  children: ChildProcess[],
): Promise<void> {
  const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
  const resetter = await start(['--import', 'tsx', 'bench/_resetServer.ts', String(floorPort)], 'ready');
  children.push(resetter);
  const rejected: number[] = [];
  const rejectedPerCpu: number[] = [];
  const floorPerCpu: number[] = [];
  let answered = 0;
  for (let i = 0; i < RUNS; i++) {
    const { result: r, cpu } = await withCpu(pid, () => connectionChurn(port, '127.0.0.2', CONNECT, SECONDS));
    rejected.push(r.perSecond);
    if (cpu) rejectedPerCpu.push((r.perSecond * SECONDS) / cpu);
    answered += r.withResponse;
    const floor = await withCpu(resetter.pid, () => connectionChurn(floorPort, '127.0.0.2', CONNECT, SECONDS));
    if (floor.cpu) floorPerCpu.push((floor.result.perSecond * SECONDS) / floor.cpu);
  }
  console.log('');
  console.log(
    `banned source, connections closed at accept: ${median(rejected).toFixed(0)}/s (${answered} got any response byte)`,
  );
  if (rejectedPerCpu.length === 0 || servedCpuUs === null) return;
  const rc = median(rejectedPerCpu);
  const sc = 1e6 / servedCpuUs;
  console.log(
    `per gateway CPU-second: ${rc.toFixed(0)} rejections vs ${sc.toFixed(0)} served keep-alive requests: ${(rc / sc).toFixed(2)}× (goal ≥ 5)`,
  );
  if (floorPerCpu.length > 0) {
    const floor = median(floorPerCpu);
    console.log(
      `node's floor (a net.Server that only resets): ${floor.toFixed(0)} per CPU-second; bansho at ${(rc / floor).toFixed(2)}× of it`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
