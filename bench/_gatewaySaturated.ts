/**
 * bench/gateway.ts, saturated: wrk -t1 -c64 as fast as each path answers, with the CPU every
 * process spends per request — the path measured (a cluster: primary and workers), wrk, and the
 * upstream — since all of them share the machine's cores. From those costs, the ceiling: what
 * N gateway workers can reach on these cores next to wrk and the upstream.
 */
import { availableParallelism } from 'node:os';
import { cpuDuring, median, processTree } from './_processCpu.js';
import { wrk } from './_wrk.js';

export interface Target {
  readonly name: string;
  readonly port: number;
  /** The process whose tree is the path measured; undefined for the upstream itself. */
  readonly pid: number | undefined;
}

export interface Sample {
  readonly rps: number;
  readonly p99: number;
  /** CPU µs per request: the path's tree, each process in it, wrk, the upstream. */
  readonly cpuUs: number;
  readonly perProcessUs: readonly number[];
  readonly wrkUs: number;
  readonly upstreamUs: number;
}

export async function measure(
  target: Target,
  upstreamPid: number | undefined,
  seconds: number,
  connections: number,
  headers: readonly string[] = [],
): Promise<Sample> {
  const pids = target.pid === upstreamPid ? [] : processTree(target.pid);
  const { result: r, cpu } = await cpuDuring([...pids, upstreamPid ?? -1], () =>
    wrk(`http://127.0.0.1:${target.port}/`, seconds, connections, headers),
  );
  if (r.errors > 0) throw new Error(`${target.name}: ${r.errors} errors or non-2xx answers`);
  const us = (s: number | undefined | null) => ((s ?? Number.NaN) * 1e6) / r.requests;
  const perProcessUs = cpu.slice(0, pids.length).map(us);
  return {
    rps: r.rps,
    p99: r.p99,
    cpuUs: perProcessUs.reduce((a, b) => a + b, 0),
    perProcessUs,
    wrkUs: us(r.cpuSeconds),
    upstreamUs: us(cpu[pids.length]),
  };
}

/**
 * The targets in round `round`'s order: rotated by one each round, so no path always runs
 * straight after the same one (whose burst, or the neighbour's, it would then always inherit).
 */
export function rotated<T>(targets: readonly T[], round: number): T[] {
  const k = targets.length === 0 ? 0 : round % targets.length;
  return [...targets.slice(k), ...targets.slice(0, k)];
}

/**
 * `a`'s figure over `b`'s, taken round by round (their samples of the same round, run a few
 * seconds apart) and the median over rounds: a slow round — other work on the machine —
 * slows both and cancels out, which a ratio of two medians over different rounds does not.
 */
export function roundRatio(a: readonly Sample[], b: readonly Sample[], f: (s: Sample) => number): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const r = f(a[i] as Sample) / f(b[i] as Sample);
    if (Number.isFinite(r)) ratios.push(r);
  }
  return ratios.length === 0 ? Number.NaN : median(ratios);
}

/** Medians of a field over a target's samples. */
export function medianOf(samples: readonly Sample[], f: (s: Sample) => number): number {
  const xs = samples.map(f).filter((x) => Number.isFinite(x));
  return xs.length === 0 ? Number.NaN : median(xs);
}

export function printSaturated(
  targets: readonly Target[],
  samples: ReadonlyMap<string, Sample[]>,
  reference: string,
): void {
  const ref = samples.get(reference) ?? [];
  const refRps = medianOf(ref, (s) => s.rps);
  const refCpu = medianOf(ref, (s) => s.cpuUs);
  console.log(
    '| path | req/s | p99 ms | CPU µs/req | wrk µs/req | upstream µs/req | req/s ÷ reference | reference CPU ÷ this CPU |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of targets) {
    const s = samples.get(t.name) ?? [];
    const rps = medianOf(s, (x) => x.rps);
    const cpu = medianOf(s, (x) => (x.perProcessUs.length === 0 ? Number.NaN : x.cpuUs));
    const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
    console.log(
      `| ${t.name} | ${rps.toFixed(0)} | ${medianOf(s, (x) => x.p99).toFixed(2)} | ${fmt(cpu)} | ${fmt(medianOf(s, (x) => x.wrkUs))} | ${fmt(medianOf(s, (x) => x.upstreamUs))} | ${(rps / refRps).toFixed(2)}× | ${Number.isFinite(cpu) ? `${(refCpu / cpu).toFixed(2)}×` : '—'} |`,
    );
  }
}

/**
 * The most req/s `workers` gateway processes can reach on these cores, from what one request
 * costs each process: wrk (one thread) and a one-process upstream each cap the rate at one
 * core's worth, the gateway at `workers` cores' worth, and all of them together share `cores`:
 * min(workers/gw, 1/wrk, 1/up, cores/(gw+wrk+up)). With wrk and the upstream on the same two
 * cores, two workers can be well under twice one.
 */
export function capacity(
  costs: { readonly gatewayUs: number; readonly wrkUs: number; readonly upstreamUs: number },
  workers: number,
  cores = availableParallelism(),
): number {
  const { gatewayUs, wrkUs, upstreamUs } = costs;
  return Math.min(
    (workers * 1e6) / gatewayUs,
    1e6 / wrkUs,
    1e6 / upstreamUs,
    (cores * 1e6) / (gatewayUs + wrkUs + upstreamUs),
  );
}
