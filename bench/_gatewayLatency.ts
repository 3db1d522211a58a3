/**
 * bench/gateway.ts, latency below saturation: at wrk's saturation a p99 is mostly the queue in
 * front of the slowest process, not the work a request adds. Here every path gets the same
 * constant offered rate over the same number of connections (bench/_openLoop.ts), well under
 * the capacity of each, in the same run, interleaved (the order reversed every other round, so
 * no path always follows the same neighbour); what bansho adds is its p99 less the reference
 * proxy's and less the upstream's, in the same round, median over rounds (`added`).
 *
 * Each measured run follows a second of the same load on that path: the paths keep idle
 * upstream connections for different times (the reference's pool 60 s, bansho's 4 s, below the
 * 5 s idle timeout of node and Apache upstreams), and while the other paths are measured a
 * path idles for longer than that; without the warm-up bansho's runs would start by opening
 * its upstream connections again and the reference's would not.
 */

import type { Target } from './_gatewaySaturated.js';
import { openLoop } from './_openLoop.js';
import { median } from './_processCpu.js';

/** A path's medians (ms) and each round's figures. */
export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly rounds: ReadonlyArray<{ readonly p50: number; readonly p99: number }>;
}

export async function fixedRate(
  targets: readonly Target[],
  rate: number,
  runs: number,
  seconds: number,
  connections: number,
): Promise<Map<string, Latency>> {
  const rows = new Map<string, Array<{ p50: number; p99: number }>>();
  for (let i = 0; i < runs; i++) {
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) {
      await openLoop(t.port, rate, 1, connections);
      const r = await openLoop(t.port, rate, seconds, connections);
      if (r.errors > 0) throw new Error(`${t.name}: ${r.errors} failed requests at ${rate}/s`);
      rows.set(t.name, [...(rows.get(t.name) ?? []), { p50: r.p50, p99: r.p99 }]);
    }
  }
  const medians = new Map<string, Latency>();
  console.log('');
  console.log(
    `constant rate ${rate} req/s over ${connections} connections, medians of ${runs} runs × ${seconds}s (each after 1 s of the same load):`,
  );
  console.log('');
  console.log('| path | p50 ms | p99 ms | p99 per round |');
  console.log('|---|---:|---:|---|');
  for (const t of targets) {
    const rs = rows.get(t.name) ?? [];
    const m = { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), rounds: rs };
    medians.set(t.name, m);
    console.log(
      `| ${t.name} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${rs.map((r) => r.p99.toFixed(2)).join(', ')} |`,
    );
  }
  return medians;
}

/** The median over rounds of `path`'s p99 less `peer`'s in the same round (ms). */
export function added(latency: ReadonlyMap<string, Latency>, path: string, peer: string): number {
  const a = latency.get(path)?.rounds ?? [];
  const b = latency.get(peer)?.rounds ?? [];
  return median(a.map((r, i) => r.p99 - (b[i]?.p99 ?? Number.NaN)));
}
