/**
 * What a ban costs the nftables backend (src/defense/nftFirewall.ts), measured in this process
 * on a table of its own: one ban at a time (each its own batch), and a flood of bans made in one
 * turn of the event loop (batches of up to 250). Reports the wall time until the kernel
 * has them, the CPU of the nft children, and how long the event loop was held meanwhile — the
 * request path shares that loop, so the last is what a ban costs it.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NftFirewall } from '../src/defense/nftFirewall.js';
import { cpuSeconds, median, processTree } from './_processCpu.js';

/** CPU seconds of this process's children (nft): those ended (cutime + cstime) and those running (the long-lived `nft -i`). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ended = (Number(fields[13]) + Number(fields[14])) / 100;
  const running = processTree(process.pid)
    .slice(1)
    .reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  return ended + running;
}

/** One ban at a time, each its own batch (spaced past the firewall's gap): how long until the kernel has it. */
async function singleBans(firewall: NftFirewall, count: number) {
  const walls: number[] = [];
  const stalls: number[] = [];
  const cpu0 = childrenCpu();
  let own = 0;
  const until = Date.now() + 600_000;
  for (let i = 0; i < count; i++) {
    await new Promise((r) => setTimeout(r, 120));
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    firewall.ban(`10.255.${i >> 8}.${i & 255}/32`, until);
    await firewall.settled();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    own += (c.user + c.system) / 1000;
    delay.disable();
    stalls.push(delay.max / 1e6);
  }
  return {
    wallMsEach: median(walls),
    nftCpuMsEach: ((childrenCpu() - cpu0) * 1000) / count,
    ownCpuMsEach: own / count,
    stallMs: median(stalls),
  };
}

/** `count` bans made in one turn, in batches. The stall is measured after they are queued (the queueing is the caller's). */
async function floodOfBans(firewall: NftFirewall, count: number) {
  const until = Date.now() + 600_000;
  const cpu0 = childrenCpu();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let n = 0; n < count; n++) firewall.ban(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`, until);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await firewall.settled();
  delay.disable();
  const c = process.cpuUsage(c0);
  return {
    wallMsEach: Number(process.hrtime.bigint() - t0) / 1e6 / count,
    nftCpuMsEach: ((childrenCpu() - cpu0) * 1000) / count,
    ownCpuMsEach: (c.user + c.system) / 1000 / count,
    stallMs: delay.max / 1e6,
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
    const single = await singleBans(firewall, 30);
    const flood = await floodOfBans(firewall, 5000);
    console.log('');
    console.log(
      '| nftables ban backend, bans | wall ms each until in the kernel | nft CPU ms each | bansho CPU ms each | event-loop stall while applied |',
    );
    console.log('|---|---:|---:|---:|---:|');
    const row = (name: string, r: Awaited<ReturnType<typeof singleBans>>) =>
      console.log(
        `| ${name} | ${r.wallMsEach.toFixed(3)} | ${r.nftCpuMsEach.toFixed(3)} | ${r.ownCpuMsEach.toFixed(3)} | ${r.stallMs.toFixed(1)} ms |`,
      );
    row('30, one at a time (a batch each; medians)', single);
    row('5000 in one turn (batches of 250)', flood);
    console.log(
      'nft CPU: the long-lived nft -i. bansho CPU: this process, writing the batches. The stall is the longest the event loop — the request path — waited meanwhile (wall time: on a loaded machine, mostly waiting for a core).',
    );
  } finally {
    await firewall.close();
  }
}
