/**
 * bench/gateway.ts, banned sources: a banned address (127.0.0.2) opening connections as fast as
 * they are closed, against a gateway, and against node's floors in the same run: a net.Server
 * that only resets each accepted socket (bench/_resetServer.ts), and one that resets at the
 * listening handle before any Socket exists, as the gateway's handle guard does
 * (bench/_resetHandleServer.ts): the least a user-level node process can spend per connection.
 * Connections closed per CPU-second
 * of the gateway, against the requests it serves per CPU-second; and a gateway with the nftables
 * ban backend, whose kernel resets the source before the process sees it — there the process
 * costs next to nothing, so the machine's kernel CPU is counted beside it.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findNft } from '../src/defense/nftFirewall.js';
import { startNode } from './_children.js';
import { banCost } from './_nftBanCost.js';
import { cpuSplit, machineCpu, median, processTree } from './_processCpu.js';

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

/** One churn's costs: the gateway's own CPU, and the machine's kernel CPU outside the client and the gateway. */
interface Run {
  readonly perSecond: number;
  readonly closed: number;
  readonly withResponse: number;
  /** Gateway process tree, user and system (its kernel work: accept, reset, and softirqs run in its context). */
  readonly userUs: number;
  readonly systemUs: number;
  /** Seconds of gateway CPU, at least one clock tick (10 ms) when it read 0: a bound, not a figure. */
  readonly gatewayCpu: number;
  readonly gatewayAtFloor: boolean;
  /** Machine system + irq + softirq, all cores, less this (client) process's system time, the gateway's, and the idle rate. */
  readonly otherKernelUs: number;
  /** This process, the client: user and system µs per connection. */
  readonly clientUserUs: number;
  readonly clientSystemUs: number;
}

const TICK = 0.01;

/** The machine's kernel CPU seconds (system, irq, softirq) so far. */
const machineKernel = (): number => {
  const m = machineCpu();
  return m === null ? Number.NaN : m.system + m.softirq;
};

/** What the rest of the machine spends in its kernel per second while nothing churns (other work on a shared machine). */
async function idleKernelRate(): Promise<number> {
  const k0 = machineKernel();
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  return machineKernel() - k0 - process.cpuUsage(c0).system / 1e6;
}

async function churnCosts(port: number, pid: number | undefined, seconds: number): Promise<Run> {
  const idle = await idleKernelRate();
  const pids = processTree(pid);
  const before = pids.map(cpuSplit);
  const k0 = machineKernel();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await connectionChurn(port, '127.0.0.2', seconds);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const client = process.cpuUsage(c0);
  const kernel = machineKernel() - k0;
  const after = pids.map(cpuSplit);
  let user = 0;
  let system = 0;
  for (const [i, a] of after.entries()) {
    user += (a?.user ?? 0) - (before[i]?.user ?? 0);
    system += (a?.system ?? 0) - (before[i]?.system ?? 0);
  }
  const other = Math.max(0, kernel - client.system / 1e6 - system - idle * elapsed);
  return {
    ...result,
    userUs: (user * 1e6) / result.closed,
    systemUs: (system * 1e6) / result.closed,
    gatewayCpu: Math.max(TICK, user + system),
    gatewayAtFloor: user + system < TICK,
    otherKernelUs: (other * 1e6) / result.closed,
    clientUserUs: client.user / result.closed,
    clientSystemUs: client.system / result.closed,
  };
}

/** The bench's own nft table, so a run never touches a gateway's `inet bansho`. */
export const BENCH_TABLE = 'bansho_bench';

/**
 * `bansho serve --firewall nftables` on `port`, resolved once the churner's ban is in the
 * kernel; or why not (no nft, no CAP_NET_ADMIN: the row is skipped, and says so).
 */
export async function startKernelGateway(
  args: readonly string[],
  dir: string,
  children: ChildProcess[],
): Promise<{ readonly pid: number | undefined } | string> {
  const nft = findNft();
  if (nft === null) return 'no nft command (Debian: apt-get install nftables)';
  const config = join(dir, 'firewall.yaml');
  writeFileSync(config, `bans: { firewall: nftables, nft_table: ${BENCH_TABLE} }\n`);
  let child: ChildProcess;
  try {
    child = await startNode([...args, '--firewall', 'nftables', '--config', config], 'guarding');
  } catch (err) {
    return firstLine(String((err as Error).message).split('exited')[1] ?? String(err));
  }
  children.push(child);
  for (let i = 0; i < 200; i++) {
    const set = execFileSync(nft, ['list', 'set', 'inet', BENCH_TABLE, 'banned_v4'], { encoding: 'utf8' });
    if (set.includes('127.0.0.2 ')) return { pid: child.pid };
    await new Promise((r) => setTimeout(r, 50));
  }
  return "the churner's ban never reached the kernel";
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => /firewall|nft/.test(l)) ?? text.trim().split('\n')[0] ?? text;
}

/**
 * The section: each gateway in turn with the floor, RUNS times; medians. `kernel` is a gateway
 * run with `--firewall nftables`, or why it is skipped.
 */
export async function rejections(
  targets: readonly RejectionTarget[],
  kernel: RejectionTarget | string,
  floorPorts: { readonly socket: number; readonly handle: number },
  runs: number,
  seconds: number,
  children: ChildProcess[],
): Promise<void> {
  const resetter = await startNode(['--import', 'tsx', 'bench/_resetServer.ts', String(floorPorts.socket)], 'ready');
  children.push(resetter);
  const handleResetter = await startNode(
    ['--import', 'tsx', 'bench/_resetHandleServer.ts', String(floorPorts.handle)],
    'ready',
  );
  children.push(handleResetter);
  const all = typeof kernel === 'string' ? targets : [...targets, kernel];
  const rows = new Map<string, Run[]>();
  const floor: Run[] = [];
  const handleFloor: Run[] = [];
  for (let i = 0; i < runs; i++) {
    for (const t of all) rows.set(t.name, [...(rows.get(t.name) ?? []), await churnCosts(t.port, t.pid, seconds)]);
    floor.push(await churnCosts(floorPorts.socket, resetter.pid, seconds));
    handleFloor.push(await churnCosts(floorPorts.handle, handleResetter.pid, seconds));
  }
  const med = (rs: readonly Run[], f: (r: Run) => number) => median(rs.map(f));
  const perGatewayCpu = (rs: readonly Run[]) => med(rs, (r) => r.closed / r.gatewayCpu);
  const perServerCpu = (rs: readonly Run[]) =>
    med(rs, (r) => 1e6 / (r.userUs + r.systemUs + r.otherKernelUs + (r.gatewayAtFloor ? (TICK * 1e6) / r.closed : 0)));
  const floorPerCpu = perGatewayCpu(floor);
  const handleFloorPerCpu = perGatewayCpu(handleFloor);
  console.log('');
  console.log(
    '| banned source against | closed/s | gateway µs each (user + kernel) | client µs each (user + kernel) | unbilled kernel µs each | per gateway CPU-s ÷ served | per CPU-s, unbilled kernel counted, ÷ served | ÷ node floor | ÷ handle floor | answered |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const line = (name: string, rs: readonly Run[], servedCpuUs: number | null) => {
    const atFloor = rs.filter((r) => r.gatewayAtFloor).length > rs.length / 2;
    const bound = atFloor ? '≥ ' : '';
    const served = servedCpuUs === null ? null : 1e6 / servedCpuUs;
    const ratio = (x: number) => (served === null ? '—' : `${bound}${(x / served).toFixed(2)}×`);
    console.log(
      `| ${name} | ${med(rs, (r) => r.perSecond).toFixed(0)} | ${med(rs, (r) => r.userUs).toFixed(1)} + ${med(rs, (r) => r.systemUs).toFixed(1)} | ${med(rs, (r) => r.clientUserUs).toFixed(1)} + ${med(rs, (r) => r.clientSystemUs).toFixed(1)} | ${med(rs, (r) => r.otherKernelUs).toFixed(1)} | ${ratio(perGatewayCpu(rs))} | ${ratio(perServerCpu(rs))} | ${bound}${(perGatewayCpu(rs) / floorPerCpu).toFixed(2)}× | ${bound}${(perGatewayCpu(rs) / handleFloorPerCpu).toFixed(2)}× | ${rs.reduce((a, r) => a + r.withResponse, 0)} |`,
    );
  };
  for (const t of all) line(t.name, rows.get(t.name) ?? [], t.servedCpuUs);
  line("node's floor (net.Server, reset each socket)", floor, null);
  line("node's handle floor (listening handle: getpeername + reset, no Socket)", handleFloor, null);
  const served = targets[0]?.servedCpuUs;
  if (served != null)
    console.log(
      `user-level ceiling: node's handle floor ÷ ${targets[0]?.name} served = ${((handleFloorPerCpu * served) / 1e6).toFixed(2)}× (goal ≥ 5)`,
    );
  if (typeof kernel === 'string') console.log(`bansho with --firewall nftables: skipped (${kernel})`);
  console.log(
    [
      'gateway µs: the gateway processes\' user and system CPU (/proc/PID/stat) per closed connection; "≥": it used less than one clock tick (10 ms) in the run, counted as one.',
      "client µs: this process, the churning client. On loopback the receiving side's kernel work (handshake, the nft lookup and reset, softirqs) runs in the sender's context and is billed here: the client's kernel column is where the firewall's own cost shows (compare the rows).",
      "unbilled kernel µs: the machine's system + irq + softirq CPU (/proc/stat, all cores) less the client's and the gateway's system time and the idle rate measured in the second before — kernel work no process was billed for (ksoftirqd, other cores); 0 when noise made it negative; noisy where other work shares the machine.",
      'served: the gateway CPU µs per served request from the saturated runs (its process only, as the gateway columns).',
      "÷ handle floor: against node's handle floor, the least a node process spends to reset a connection; a user-level gateway at 1.00× can only gain by serving requests at a higher CPU cost (the goal's ratio) or by leaving the drop to the kernel (the nftables row).",
      'goal: rejections ≥ 5× served requests per CPU-second',
    ].join('\n'),
  );
  if (typeof kernel !== 'string') await banCost();
}
