/**
 * bench/gateway.ts, latency below saturation: at wrk's saturation a p99 is mostly the queue in
 * front of the slowest process, not the work a request adds. Here every path gets the same
 * constant offered rate (bench/_openLoop.ts), well under the capacity of each, in the same run,
 * interleaved; what bansho adds is its p99 less the reference proxy's and less the upstream's.
 */

import type { Target } from './_gatewaySaturated.js';
import { openLoop } from './_openLoop.js';
import { median } from './_processCpu.js';

export async function fixedRate(
  targets: readonly Target[],
  rate: number,
  runs: number,
  seconds: number,
  connections: number,
): Promise<Map<string, { p50: number; p99: number }>> {
  const rows = new Map<string, Array<{ p50: number; p99: number }>>();
  for (const t of targets) await openLoop(t.port, rate, 1, connections);
  for (let i = 0; i < runs; i++) {
    for (const t of targets) {
      const r = await openLoop(t.port, rate, seconds, connections);
      if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} failed requests at ${rate}/s`);
      rows.set(t.name, [...(rows.get(t.name) ?? []), { p50: r.p50, p99: r.p99 }]);
    }
  }
  const medians = new Map<string, { p50: number; p99: number }>();
  console.log('');
  console.log(`constant rate ${rate} req/s over ${connections} connections, medians of ${runs} runs × ${seconds}s:`);
  console.log('');
  console.log('| path | p50 ms | p99 ms |');
  console.log('|---|---:|---:|');
  for (const t of targets) {
    const rs = rows.get(t.name) ?? [];
    const m = { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) };
    medians.set(t.name, m);
    console.log(`| ${t.name} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} |`);
  }
  return medians;
}
