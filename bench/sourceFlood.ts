/**
 * Memory and event-loop lag under a million distinct attacking sources (gateway hardening): a
 * balancer on loopback names a new client in a PROXY header on every connection, each sending
 * one attack (a third ban-worthy CONNECTs, a third refused absolute-form probes, a third
 * logged SQL injection attempts). The gateway runs in this process so that its event-loop delay
 * (monitorEventLoopDelay) and RSS can be read; the load comes from a child process.
 * Goals: RSS growth ≤ 200 MB, the event loop never blocked for more than 100 ms.
 * BENCH_SOURCES sets the number of sources (default 1 000 000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { resolveGatewayConfig } from '../src/config/index.js';
import { startGatewayService } from '../src/gateway/service.js';
import { tracked } from './_children.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCES = Number(process.env.BENCH_SOURCES ?? 1_000_000);
const WARM_UP = Math.min(20_000, Math.floor(SOURCES / 10));

function child(args: string[], readyText: string): Promise<{ proc: ChildProcess; seen: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = tracked(
      spawn(process.execPath, ['--import', 'tsx', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    let seen = '';
    proc.stdout?.on('data', (d: Buffer) => {
      seen += d;
      if (seen.includes(readyText)) resolve({ proc, seen: () => seen });
    });
    proc.once('exit', (code) =>
      code === 0 ? resolve({ proc, seen: () => seen }) : reject(new Error(`${args[0]} exited ${code}`)),
    );
  });
}

function flood(port: number, count: number): Promise<void> {
  return child(['bench/_sourceFloodClient.ts', String(port), String(count), '64'], 'done').then(() => undefined);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A full collection, so that heap figures count what is kept, not what is garbage yet. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-flood-'));
  const upstreamPort = await freePort();
  const upstream = await child(['bench/_upstream.ts', String(upstreamPort)], 'ready');
  const config = resolveGatewayConfig(
    { trusted_proxies: ['127.0.0.1'], proxy_protocol: true, drop_report_interval: 10_000 },
    { upstream: `http://127.0.0.1:${upstreamPort}`, listen: '127.0.0.1:0', db: join(tmp, 'flood.db') },
  );
  const service = await startGatewayService(config, { log: () => {} });
  const port = service.gateway.address().port;
  try {
    await flood(port, WARM_UP);
    await service.gateway.events.flush();
    collect();
    const before = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const gcPauses: number[] = [];
    const gcWatch = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcPauses.push(entry.duration);
    });
    gcWatch.observe({ entryTypes: ['gc'] });
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let peak = before;
    const sampler = setInterval(() => {
      // rss() alone: the full memoryUsage() walks the heap's spaces, work the gateway's loop pays for.
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 250);
    const started = Date.now();
    const cpu = process.cpuUsage();
    await flood(port, SOURCES);
    const seconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await service.gateway.events.flush();
    clearInterval(sampler);
    lag.disable();
    const after = process.memoryUsage().rss;
    gcWatch.disconnect();
    collect();
    const heapAfter = process.memoryUsage().heapUsed;
    gcPauses.sort((a, b) => a - b);
    const stats = service.gateway.stats;
    console.log(`${SOURCES} distinct sources through a PROXY-protocol balancer, 64 connections at a time`);
    console.log(`| measure | value |\n|---|---:|`);
    console.log(`| sources/s | ${Math.round(SOURCES / seconds)} |`);
    console.log(`| gateway CPU µs per source | ${Math.round((used.user + used.system) / SOURCES)} |`);
    console.log(`| RSS before → after (peak) | ${mib(before)} → ${mib(after)} MiB (${mib(peak)}) |`);
    console.log(`| RSS growth (goal ≤ 200 MB) | ${mib(after - before)} MiB, peak ${mib(peak - before)} MiB |`);
    console.log(
      `| event-loop delay p50 / p99 / max (goal max ≤ 100 ms) | ${(lag.percentile(50) / 1e6).toFixed(1)} / ${(lag.percentile(99) / 1e6).toFixed(1)} / ${(lag.max / 1e6).toFixed(1)} ms |`,
    );
    console.log(
      `| heap kept (after a full collection) before → after | ${mib(heapBefore)} → ${mib(heapAfter)} MiB (+${mib(heapAfter - heapBefore)}) |`,
    );
    console.log(
      `| GC pauses: count, p99, longest | ${gcPauses.length}, ${(gcPauses[Math.floor(gcPauses.length * 0.99)] ?? 0).toFixed(1)} ms, ${(gcPauses.at(-1) ?? 0).toFixed(1)} ms |`,
    );
    console.log(`| requests refused / forwarded | ${stats.refused} / ${stats.forwarded} |`);
    console.log(`| active bans | ${service.gateway.bans.list.size} |`);
  } finally {
    await service.stop();
    upstream.proc.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
}
