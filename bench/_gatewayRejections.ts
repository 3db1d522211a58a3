/**
 * bench/gateway.ts, banned sources: a banned address (127.0.0.2) opening connections as fast as
 * they are closed, against a gateway, and against node's floor in the same run (a net.Server
 * that only resets each accepted socket, bench/_resetServer.ts). Connections closed per CPU-second
 * of the gateway, against the requests it serves per CPU-second.
 */
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { startNode } from './_children.js';
import { cpuSplit, median, processTree } from './_processCpu.js';

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
    const before = pids.map(cpuSplit);
    const result = await connectionChurn(port, '127.0.0.2', seconds);
    const after = pids.map(cpuSplit);
    let user = 0;
    let system = 0;
    for (const [i, a] of after.entries()) {
      user += (a?.user ?? 0) - (before[i]?.user ?? 0);
      system += (a?.system ?? 0) - (before[i]?.system ?? 0);
    }
    return {
      ...result,
      perCpuSecond: result.closed / (user + system),
      userUs: (user * 1e6) / result.closed,
      systemUs: (system * 1e6) / result.closed,
    };
  };
  const floor: Array<{ perCpuSecond: number; userUs: number; systemUs: number }> = [];
  console.log('');
  console.log(
    '| banned source against | closed/s | per CPU-second | user + kernel µs each | ÷ served per CPU-second | ÷ node floor | answered |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  type Row = { perSecond: number; perCpuSecond: number; userUs: number; systemUs: number; withResponse: number };
  const rows = new Map<string, Row[]>();
  const cost = (rs: ReadonlyArray<{ userUs: number; systemUs: number }>) =>
    `${median(rs.map((r) => r.userUs)).toFixed(1)} + ${median(rs.map((r) => r.systemUs)).toFixed(1)}`;
  for (let i = 0; i < runs; i++) {
    for (const t of targets) {
      const r = await perCpu(t.port, t.pid);
      rows.set(t.name, [...(rows.get(t.name) ?? []), r]);
    }
    floor.push(await perCpu(floorPort, resetter.pid));
  }
  const floorMedian = median(floor.map((f) => f.perCpuSecond));
  for (const t of targets) {
    const rs = rows.get(t.name) ?? [];
    const perCpuSecond = median(rs.map((r) => r.perCpuSecond));
    const served = t.servedCpuUs === null ? null : 1e6 / t.servedCpuUs;
    console.log(
      `| ${t.name} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} | ${perCpuSecond.toFixed(0)} | ${cost(rs)} | ${served === null ? '—' : `${(perCpuSecond / served).toFixed(2)}×`} | ${(perCpuSecond / floorMedian).toFixed(2)}× | ${rs.reduce((a, r) => a + r.withResponse, 0)} |`,
    );
  }
  console.log(
    `| node's floor (net.Server, reset each socket) | — | ${floorMedian.toFixed(0)} | ${cost(floor)} | — | 1.00× | — |`,
  );
  // On loopback the kernel's side of each connection (handshake, reset) is billed to the server.
  console.log('goal: rejections ≥ 5× served requests per CPU-second');
}
