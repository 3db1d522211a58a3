/**
 * The measuring side of bench/banState.ts, in a process of its own (run with --expose-gc) so
 * its RSS is its own: `load DB` loads the ban list as a gateway starts and measures it, the
 * accept check and delta propagation; `reload DB` measures what the old full reload cost.
 * Prints one JSON object.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Allowlist } from '../src/defense/allowlist.js';
import { BanManager } from '../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../src/defense/banPolicy.js';
import { SqliteBanStore } from '../src/store/sqlite/sqliteStore.js';

const [mode, db] = process.argv.slice(2) as [string, string];
const gc = (globalThis as { gc?: () => void }).gc as () => void;
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

function settled(): { rss: number; heap: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** Minor and major collections while `work` runs: none means it allocated (next to) nothing. */
async function collections(work: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    count += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  work();
  await nextTurn();
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return count;
}

async function load(): Promise<void> {
  const store = new SqliteBanStore(db);
  const before = settled();
  let peak = before.rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  const manager = new BanManager({
    store,
    policy: DEFAULT_BAN_POLICY,
    allowlist: new Allowlist([]),
    emit: () => {},
  });
  const loadMs = performance.now() - t0;
  const bans = manager.list.size;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const after = settled();

  // The list's own lookup at a given time, then the whole accept check (which reads the clock):
  // Date.now() boxes its result, so a bare loop of it is measured too.
  const N = 10_000_000;
  let hits = 0;
  const at = Date.now();
  const t1 = performance.now();
  const lookupGcs = await collections(() => {
    for (let i = 0; i < N; i++) if (manager.list.isBanned(i & 1 ? '11.0.0.7' : '203.0.113.1', at)) hits++;
  });
  const lookupNs = ((performance.now() - t1) * 1e6) / N;
  const t1b = performance.now();
  const acceptGcs = await collections(() => {
    for (let i = 0; i < N; i++) if (manager.dropIfBanned(i & 1 ? '11.0.0.7' : '203.0.113.1', 4000)) hits++;
  });
  const acceptNs = ((performance.now() - t1b) * 1e6) / N;
  const clockGcs = await collections(() => {
    for (let i = 0; i < N; i++) hits += Date.now() & 1;
  });
  const v6N = 1_000_000;
  const t2 = performance.now();
  for (let i = 0; i < v6N; i++) if (manager.isBanned('2001:db8:0:7:1:2:3:4')) hits++;
  const v6Ns = ((performance.now() - t2) * 1e6) / v6N;

  // Delta propagation: another connection bans, the manager (polling every 250 ms) picks it up.
  const writer = new SqliteBanStore(db);
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const ip = `198.18.200.${i}`;
    const now = Date.now();
    const written = performance.now();
    writer.putSync({
      target: `${ip}/32`,
      since: now,
      until: now + 3_600_000,
      reason: 'bench',
      threatId: null,
      offence: 1,
      origin: 'manual',
    });
    while (!manager.isBanned(ip)) await new Promise((r) => setTimeout(r, 1));
    latencies.push(performance.now() - written);
  }
  latencies.sort((a, b) => a - b);

  // A burst of 50 000 changes: how long does one turn of the event loop block while they apply?
  const now = Date.now();
  writer.putManySync(
    Array.from({ length: 50_000 }, (_, i) => ({
      target: `198.19.${i >> 8}.${i & 255}/32`,
      since: now,
      until: now + 3_600_000,
      reason: 'bench',
      threatId: null,
      offence: 1,
      origin: 'manual' as const,
    })),
  );
  let longestTurn = 0;
  const burstStart = performance.now();
  let last = performance.now();
  while (!manager.isBanned('198.19.195.79')) {
    await nextTurn();
    const t = performance.now();
    longestTurn = Math.max(longestTurn, t - last);
    last = t;
  }
  const burstMs = performance.now() - burstStart;
  manager.close();
  process.stdout.write(
    `${JSON.stringify({
      bans,
      loadMs: Math.round(loadMs),
      rssGrowthMb: mb(after.rss - before.rss),
      rssPeakGrowthMb: mb(peak - before.rss),
      heapGrowthMb: mb(after.heap - before.heap),
      v4LookupNs: Math.round(lookupNs * 10) / 10,
      v4LookupGcs: lookupGcs,
      v4AcceptNs: Math.round(acceptNs * 10) / 10,
      v4AcceptGcs: acceptGcs,
      clockGcs,
      v6CheckNs: Math.round(v6Ns * 10) / 10,
      deltaP50Ms: Math.round(latencies[10] as number),
      deltaMaxMs: Math.round(latencies[19] as number),
      burstMs: Math.round(burstMs),
      burstLongestTurnMs: Math.round(longestTurn),
      hits,
    })}\n`,
  );
}

/** What every ban change cost before: all bans in force read as objects, the list rebuilt. */
function reload(): void {
  const store = new SqliteBanStore(db);
  const before = settled();
  const t0 = performance.now();
  const active = store.activeSync(Date.now());
  const ms = performance.now() - t0;
  const during = process.memoryUsage().rss;
  process.stdout.write(
    `${JSON.stringify({ bans: active.length, fullReadMs: Math.round(ms), rssGrowthMb: mb(during - before.rss) })}\n`,
  );
}

if (mode === 'load') await load();
else reload();
