/**
 * What a ban costs the nftables backend (src/defense/nftFirewall.ts), measured in this process
 * on a table of its own: one ban at a time (each its own `nft -f -` run), and a flood of bans
 * made in one turn of the event loop (one run for all). Reports the wall time until the kernel
 * has them, the CPU of the nft children, and how long the event loop was held meanwhile — the
 * request path shares that loop, so the last is what a ban costs it.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NftFirewall } from '../src/defense/nftFirewall.js';

/** CPU seconds of this process's waited-for children (nft), from /proc/self/stat's cutime + cstime. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function measureBans(firewall: NftFirewall, count: number, oneAtATime: boolean, base: number) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu0 = childrenCpu();
  const own0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const until = Date.now() + 600_000;
  for (let i = 0; i < count; i++) {
    const n = base + i;
    firewall.ban(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`, until);
    if (oneAtATime) await firewall.settled();
  }
  await firewall.settled();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const own = process.cpuUsage(own0);
  delay.disable();
  return {
    wallMsEach: wallMs / count,
    nftCpuMsEach: ((childrenCpu() - cpu0) * 1000) / count,
    ownCpuMsEach: (own.user + own.system) / 1000 / count,
    maxLoopDelayMs: delay.max / 1e6,
  };
}

export async function banCost(): Promise<void> {
  let firewall: NftFirewall;
  try {
    firewall = await NftFirewall.open({ table: `bansho_bench_cost_${process.pid}`, ports: [1] });
  } catch (err) {
    console.log(`cost of a ban in nftables: skipped (${(err as Error).message})`);
    return;
  }
  try {
    const single = await measureBans(firewall, 50, true, 0);
    const flood = await measureBans(firewall, 5000, false, 100_000);
    console.log('');
    console.log(
      '| nftables ban backend, bans | wall ms each until in the kernel | nft CPU ms each | bansho CPU ms each | longest event-loop stall |',
    );
    console.log('|---|---:|---:|---:|---:|');
    const row = (name: string, r: Awaited<ReturnType<typeof measureBans>>) =>
      console.log(
        `| ${name} | ${r.wallMsEach.toFixed(3)} | ${r.nftCpuMsEach.toFixed(3)} | ${r.ownCpuMsEach.toFixed(3)} | ${r.maxLoopDelayMs.toFixed(1)} ms |`,
      );
    row('50, one at a time (an nft run each)', single);
    row('5000 in one turn (batched)', flood);
  } finally {
    await firewall.close();
  }
}
