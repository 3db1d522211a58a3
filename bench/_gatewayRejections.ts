/**
 * bench/gateway.ts, banned sources: a banned address (127.0.0.2) opening connections as fast as
 * they are closed, against a gateway, and against node's floor in the same run (a net.Server
 * that only resets each accepted socket, bench/_resetServer.ts). Connections closed per CPU-second
 * of the gateway, against the requests it serves per CPU-second.
 */
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { startNode } from './_children.js';
import { cpuDuring, median, processTree } from './_processCpu.js';

const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';

/** Open connections from `localAddress` as fast as they are closed; count the closes per second. */
function connectionChurn(
  port: number,
  localAddress: string,
  seconds: number,
  inFlight = 64,
): Promise<{ closed: number; perSecond: number; withResponse: number }> {
  return new Promise((resolve) => {
    let closed = 0;
    let answered = 0;
    let running = true;
    const started = process.hrtime.bigint();
    const open = () => {
      if (!running) return;
      const s = connect({ host: '127.0.0.1', port, localAddress });
      let got = false;
      s.on('connect', () => s.write(CONNECT));
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
      resolve({ closed, perSecond: closed / elapsed, withResponse: answered });
    }, seconds * 1000);
  });
}

export interface RejectionTarget {
  readonly name: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** CPU µs the gateway spends per served keep-alive request (from the saturated runs). */
  readonly servedCpuUs: number | null;
}

/** The section: each gateway in turn with the floor, RUNS times; medians. */
export async function rejections(
  targets: readonly RejectionTarget[],
  floorPort: number,
  runs: number,
  seconds: number,
  children: ChildProcess[],
): Promise<void> {
  const resetter = await startNode(['--import', 'tsx', 'bench/_resetServer.ts', String(floorPort)], 'ready');
  children.push(resetter);
  const perCpu = async (port: number, pid: number | undefined) => {
    const pids = processTree(pid);
    const { result, cpu } = await cpuDuring(pids, () => connectionChurn(port, '127.0.0.2', seconds));
    const spent = cpu.reduce((a, b) => a + b, 0);
    return { ...result, perCpuSecond: result.closed / spent };
  };
  const floor: number[] = [];
  console.log('');
  console.log(
    '| banned source against | closed/s | per CPU-second | ÷ served per CPU-second | ÷ node floor | answered |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  const rows = new Map<string, Array<{ perSecond: number; perCpuSecond: number; withResponse: number }>>();
  for (let i = 0; i < runs; i++) {
    for (const t of targets) {
      const r = await perCpu(t.port, t.pid);
      rows.set(t.name, [...(rows.get(t.name) ?? []), r]);
    }
    floor.push((await perCpu(floorPort, resetter.pid)).perCpuSecond);
  }
  const floorMedian = median(floor);
  for (const t of targets) {
    const rs = rows.get(t.name) ?? [];
    const perCpuSecond = median(rs.map((r) => r.perCpuSecond));
    const served = t.servedCpuUs === null ? null : 1e6 / t.servedCpuUs;
    console.log(
      `| ${t.name} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} | ${perCpuSecond.toFixed(0)} | ${served === null ? '—' : `${(perCpuSecond / served).toFixed(2)}×`} | ${(perCpuSecond / floorMedian).toFixed(2)}× | ${rs.reduce((a, r) => a + r.withResponse, 0)} |`,
    );
  }
  console.log(`| node's floor (net.Server, reset each socket) | — | ${floorMedian.toFixed(0)} | — | 1.00× | — |`);
  console.log('goal: rejections ≥ 5× served requests per CPU-second');
}
