/**
 * Gateway throughput (issue 2): requests/s and p50/p99 latency straight to an upstream,
 * through bansho, and through a bare node:http + undici proxy (the peer), measured in the
 * same run with autocannon; then connections/s that a banned source has closed at accept,
 * against the requests/s bansho serves. Each server runs in its own process; medians of
 * several short runs. Goals: bansho ≥ 0.9× the bare proxy; banned rejections ≥ 5× served req/s.
 *
 * The peer (bench/_bareProxy.ts) is the ordinary way to write it: `pool.request()` and a piped
 * body. bansho forwards with `pool.stream()` into the response, which saves a Readable per
 * request; that, not less work, is why it can come out ahead of the peer. The flood client is
 * one node process and saturates first, so rejections are also given per CPU-second of the
 * gateway process, next to a bare net.Server that only resets (node's floor per accepted socket).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SqliteBanStore } from '../src/store/sqlite/sqliteStore.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 32;

interface Sample {
  rps: number;
  p50: number;
  p99: number;
}

function start(args: string[], readyText: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      if (seen.includes(readyText)) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
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
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function load(url: string): Promise<Sample> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
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

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-bench-'));
  const db = join(tmp, 'bench.db');
  const children: ChildProcess[] = [];
  try {
    const upstreamPort = 28080;
    const banshoPort = 28000;
    const barePort = 28001;
    const floorPort = 28002;
    children.push(await start(['bench/_upstream.ts', String(upstreamPort)], 'ready'));
    const upstream = `http://127.0.0.1:${upstreamPort}`;
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
    const gateway = await start(
      ['src/cli/main.ts', 'serve', '--upstream', upstream, '--listen', `127.0.0.1:${banshoPort}`, '--db', db],
      'guarding',
    );
    children.push(gateway);
    children.push(await start(['bench/_bareProxy.ts', upstream, String(barePort)], 'ready'));

    const targets = {
      direct: `${upstream}/`,
      bansho: `http://127.0.0.1:${banshoPort}/`,
      'bare proxy': `http://127.0.0.1:${barePort}/`,
    };
    const samples: Record<string, Sample[]> = { direct: [], bansho: [], 'bare proxy': [] };
    for (const url of Object.values(targets)) await load(url); // warm-up (JIT, pools)
    const servedPerCpu: number[] = [];
    for (let i = 0; i < RUNS; i++)
      for (const [name, url] of Object.entries(targets)) {
        const { result, cpu } = await withCpu(gateway.pid, () => load(url));
        samples[name]?.push(result);
        if (name === 'bansho' && cpu) servedPerCpu.push((result.rps * SECONDS) / cpu);
      }

    const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
    const rejected: number[] = [];
    const rejectedPerCpu: number[] = [];
    const freshServed: number[] = [];
    const freshPerCpu: number[] = [];
    const floorPerCpu: number[] = [];
    const resetter = await start(['bench/_resetServer.ts', String(floorPort)], 'ready');
    children.push(resetter);
    let answeredWhileBanned = 0;
    for (let i = 0; i < RUNS; i++) {
      const { result: r, cpu } = await withCpu(gateway.pid, () =>
        connectionChurn(banshoPort, '127.0.0.2', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', SECONDS),
      );
      rejected.push(r.perSecond);
      if (cpu) rejectedPerCpu.push((r.perSecond * SECONDS) / cpu);
      answeredWhileBanned += r.withResponse;
      const fresh = await withCpu(gateway.pid, () => connectionChurn(banshoPort, '127.0.0.3', GET, SECONDS));
      freshServed.push(fresh.result.perSecond);
      if (fresh.cpu) freshPerCpu.push((fresh.result.perSecond * SECONDS) / fresh.cpu);
      const floor = await withCpu(resetter.pid, () =>
        connectionChurn(floorPort, '127.0.0.2', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', SECONDS),
      );
      if (floor.cpu) floorPerCpu.push((floor.result.perSecond * SECONDS) / floor.cpu);
    }

    const row = (name: string) => {
      const s = samples[name] ?? [];
      return {
        name,
        rps: median(s.map((x) => x.rps)),
        p50: median(s.map((x) => x.p50)),
        p99: median(s.map((x) => x.p99)),
      };
    };
    const rows = ['direct', 'bare proxy', 'bansho'].map(row);
    console.log(`medians of ${RUNS} runs × ${SECONDS}s, ${CONNECTIONS} keep-alive connections, autocannon\n`);
    console.log('| path | req/s | p50 ms | p99 ms |');
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} |`);
    const bansho = rows[2]?.rps ?? 0;
    const bare = rows[1]?.rps ?? 1;
    const rej = median(rejected);
    const fresh = median(freshServed);
    console.log('');
    console.log(`bansho / bare proxy: ${(bansho / bare).toFixed(2)}× (goal ≥ 0.9)`);
    console.log(
      `banned source, connections closed at accept: ${rej.toFixed(0)}/s (${answeredWhileBanned} got any response byte)`,
    );
    console.log(`served through bansho, a new connection per request: ${fresh.toFixed(0)} req/s`);
    console.log(`rejections / served keep-alive req/s: ${(rej / bansho).toFixed(2)}× (goal ≥ 5)`);
    console.log(`rejections / served new-connection req/s: ${(rej / fresh).toFixed(2)}×`);
    if (rejectedPerCpu.length > 0 && servedPerCpu.length > 0) {
      // The flood client (one node process) saturates before the gateway does; per CPU-second
      // of the gateway process is the gateway's own capacity.
      const rc = median(rejectedPerCpu);
      const sc = median(servedPerCpu);
      const fc = median(freshPerCpu);
      console.log(
        `per gateway CPU-second: ${rc.toFixed(0)} rejections vs ${sc.toFixed(0)} served keep-alive requests: ${(rc / sc).toFixed(2)}× (goal ≥ 5)`,
      );
      console.log(
        `per gateway CPU-second: ${rc.toFixed(0)} rejections vs ${fc.toFixed(0)} served new-connection requests: ${(rc / fc).toFixed(2)}×`,
      );
      const floor = median(floorPerCpu);
      if (floorPerCpu.length > 0)
        console.log(
          `node's floor (a net.Server that only resets): ${floor.toFixed(0)} per CPU-second; bansho at ${(rc / floor).toFixed(2)}× of it`,
        );
    }
    const size = 512 * 1024 * 1024;
    const up = await uploadThrough(banshoPort, gateway.pid, size);
    if (up.before !== null && up.peak !== null)
      console.log(
        `512 MiB upload through bansho: ${(size / 1048576 / up.seconds).toFixed(0)} MiB/s; gateway RSS ${up.before.toFixed(0)} → peak ${up.peak.toFixed(0)} MiB (+${(up.peak - up.before).toFixed(0)})`,
      );
  } finally {
    for (const c of children.reverse()) await stop(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
