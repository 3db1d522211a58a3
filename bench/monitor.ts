/**
 * `npm run bench -- monitor`: packets per second of `bansho monitor -r` (packet log to
 * /dev/null, and detection only) against `tshark -r` and `tcpdump -nn -r`, all on the same
 * generated capture in one run. Medians of a few runs of wall-clock and CPU time; ratios against
 * tshark (and tcpdump on CPU time).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcap } from '../test/monitor/helpers/captureWriter.js';
import { ethernet, FLAGS, ipv4, OPT, tcp, udp } from '../test/monitor/helpers/packets.js';
import { builtCli } from './_builtCli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKETS = Number(process.env.BANSHO_BENCH_MONITOR_PACKETS ?? 500_000);
const RUNS = Number(process.env.BANSHO_BENCH_RUNS ?? 3);

const CLIENT = '10.20.0.1';
const SERVER = '10.30.0.80';

/** One visit: DNS lookup, an HTTP exchange with TCP options, and (for an attacker) the seed's CONNECT. */
function visit(attack: boolean): { frames: number[][]; fromClient: boolean[] } {
  const frames: number[][] = [];
  const fromClient: boolean[] = [];
  const opts = [...OPT.nop(), ...OPT.nop(), ...OPT.ts(1, 2)];
  const c = (proto: number, l4: number[]) => {
    frames.push(ethernet(0x0800, ipv4({ src: CLIENT, dst: SERVER, proto }, l4)));
    fromClient.push(true);
  };
  const s = (proto: number, l4: number[]) => {
    frames.push(ethernet(0x0800, ipv4({ src: SERVER, dst: CLIENT, proto, ttl: 128 }, l4)));
    fromClient.push(false);
  };
  const req = 'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n';
  const body = '<html><body>'.padEnd(600, 'x');
  const res = `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const P = 40000;
  c(17, udp(P, 53, Buffer.from('12340100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex')));
  s(
    17,
    udp(
      53,
      P,
      Buffer.from(
        '12348180000100010000000003777777076578616d706c6503636f6d0000010001c00c000100010000003c00045db8d822',
        'hex',
      ),
    ),
  );
  c(
    6,
    tcp({
      sport: P,
      dport: 80,
      seq: 1000,
      flags: FLAGS.SYN,
      options: [...OPT.mss(1460), ...OPT.sackPerm(), ...OPT.ts(1, 0), ...OPT.nop(), ...OPT.ws(7)],
    }),
  );
  s(
    6,
    tcp({
      sport: 80,
      dport: P,
      seq: 5000,
      ack: 1001,
      flags: FLAGS.SYN | FLAGS.ACK,
      options: [...OPT.mss(1460), ...OPT.sackPerm(), ...OPT.ts(2, 1), ...OPT.nop(), ...OPT.ws(7)],
    }),
  );
  c(6, tcp({ sport: P, dport: 80, seq: 1001, ack: 5001, flags: FLAGS.ACK, win: 502, options: opts }));
  c(
    6,
    tcp({
      sport: P,
      dport: 80,
      seq: 1001,
      ack: 5001,
      flags: FLAGS.PSH | FLAGS.ACK,
      win: 502,
      options: opts,
      payload: req,
    }),
  );
  s(6, tcp({ sport: 80, dport: P, seq: 5001, ack: 1001 + req.length, flags: FLAGS.ACK, win: 509, options: opts }));
  s(
    6,
    tcp({
      sport: 80,
      dport: P,
      seq: 5001,
      ack: 1001 + req.length,
      flags: FLAGS.PSH | FLAGS.ACK,
      win: 509,
      options: opts,
      payload: res,
    }),
  );
  c(
    6,
    tcp({
      sport: P,
      dport: 80,
      seq: 1001 + req.length,
      ack: 5001 + res.length,
      flags: FLAGS.ACK,
      win: 501,
      options: opts,
    }),
  );
  const connect = attack ? 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n' : '';
  const at = 1001 + req.length;
  if (attack) {
    c(
      6,
      tcp({
        sport: P,
        dport: 80,
        seq: at,
        ack: 5001 + res.length,
        flags: FLAGS.PSH | FLAGS.ACK,
        win: 501,
        options: opts,
        payload: connect,
      }),
    );
  }
  s(
    6,
    tcp({
      sport: 80,
      dport: P,
      seq: 5001 + res.length,
      ack: at + connect.length,
      flags: FLAGS.FIN | FLAGS.ACK,
      win: 509,
      options: opts,
    }),
  );
  c(
    6,
    tcp({
      sport: P,
      dport: 80,
      seq: at + connect.length,
      ack: 5002 + res.length,
      flags: FLAGS.FIN | FLAGS.ACK,
      win: 501,
      options: opts,
    }),
  );
  s(
    6,
    tcp({
      sport: 80,
      dport: P,
      seq: 5002 + res.length,
      ack: at + connect.length + 1,
      flags: FLAGS.ACK,
      win: 509,
      options: opts,
    }),
  );
  return { frames, fromClient };
}

interface Template {
  readonly bytes: Buffer;
  readonly offsets: number[];
  readonly fromClient: boolean[];
}

function template(attack: boolean): Template {
  const { frames, fromClient } = visit(attack);
  const packets = frames.map((data) => ({ data, sec: 0, nsec: 0 }));
  const bytes = pcap(packets, { linkType: 1 }).subarray(24);
  const offsets: number[] = [];
  let at = 0;
  for (const f of frames) {
    offsets.push(at);
    at += 16 + f.length;
  }
  return { bytes, offsets, fromClient };
}

/** Visits by attackers (the seed's CONNECT after the page), one in this many. */
const ATTACK_EVERY = 10;

/**
 * Replicate visits with a fresh client port (and address, every 50,000) each time; one visit
 * in ATTACK_EVERY ends with the seed's CONNECT, so detections and their events are part of the load.
 */
export function generate(file: string, packets: number): number {
  const normal = template(false);
  const attack = template(true);
  const perRound = normal.offsets.length * (ATTACK_EVERY - 1) + attack.offsets.length;
  const rounds = Math.ceil(packets / perRound);
  const out = Buffer.alloc(24 + rounds * (normal.bytes.length * (ATTACK_EVERY - 1) + attack.bytes.length));
  pcap([], { linkType: 1 }).copy(out, 0);
  let base = 24;
  let count = 0;
  for (let i = 0; i < rounds * ATTACK_EVERY; i++) {
    const visitBytes = i % ATTACK_EVERY === ATTACK_EVERY - 1 ? attack : normal;
    visitBytes.bytes.copy(out, base);
    const port = 1024 + (i % 50_000);
    const host = Math.floor(i / 50_000) % 250;
    const t = 1_700_000_000 * 1e6 + i * 3000;
    visitBytes.offsets.forEach((offset, j) => {
      const rec = base + offset;
      const us = t + j * 100;
      out.writeUInt32LE(Math.floor(us / 1e6), rec);
      out.writeUInt32LE(us % 1e6, rec + 4);
      const ip = rec + 16 + 14;
      const fromClient = visitBytes.fromClient[j] as boolean;
      // Client address: last octet of source (client→server) or destination.
      out[ip + (fromClient ? 15 : 19)] = 1 + host;
      out.writeUInt16BE(port, ip + 20 + (fromClient ? 0 : 2));
    });
    base += visitBytes.bytes.length;
    count += visitBytes.offsets.length;
  }
  writeFileSync(file, out);
  return count;
}

interface Timing {
  /** Wall-clock seconds. */
  readonly wall: number;
  /** User + system CPU seconds of the process (null without GNU time): fairer on a loaded machine. */
  readonly cpu: number | null;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

/** Run one reader to /dev/null; GNU time (when installed) reports its CPU seconds into a file. */
function timeRun(cmd: string, args: string[], dir: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const cpuFile = join(dir, 'cpu.txt');
    const [bin, argv] = hasGnuTime ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
    const start = process.hrtime.bigint();
    const child = spawn(bin, argv, { cwd: root, stdio: ['ignore', devnull, 'ignore'] });
    child.once('error', reject);
    child.once('close', (code) => {
      closeSync(devnull);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      let cpu: number | null = null;
      if (hasGnuTime) {
        const [user = Number.NaN, system = Number.NaN] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
        cpu = Number.isFinite(user + system) ? user + system : null;
      }
      resolve({ wall, cpu });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-bench-monitor-'));
  try {
    const file = join(dir, 'big.pcap');
    const n = generate(file, PACKETS);
    const bansho = [process.execPath, builtCli(), 'monitor', '-r', file, '--no-store'];
    const has = (tool: string, arg: string) => !spawnSync(tool, [arg], { stdio: 'ignore' }).error;
    const contenders: Array<{ name: string; cmd: string; args: string[] }> = [
      { name: 'bansho monitor -r (packet log)', cmd: bansho[0] as string, args: bansho.slice(1) },
      {
        name: 'bansho monitor -r --no-log (detection only)',
        cmd: bansho[0] as string,
        args: [...bansho.slice(1), '--no-log'],
      },
    ];
    if (has('tshark', '-v')) contenders.push({ name: 'tshark -r', cmd: 'tshark', args: ['-r', file] });
    if (has('tcpdump', '--version'))
      contenders.push({ name: 'tcpdump -nn -r', cmd: 'tcpdump', args: ['-nn', '-r', file] });
    const results: Array<{ name: string; wall: number; cpu: number | null }> = [];
    // Round by round, every contender once per round: on a shared machine the load drifts, and
    // it then weighs on all contenders alike rather than on whichever ran during a busy spell.
    const runsOf = contenders.map((): Timing[] => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [k, c] of contenders.entries()) runsOf[k]?.push(await timeRun(c.cmd, c.args, dir));
    }
    for (const [k, c] of contenders.entries()) {
      const runs = runsOf[k] as Timing[];
      const cpus = runs.map((r) => r.cpu).filter((x): x is number => x !== null);
      results.push({
        name: c.name,
        wall: median(runs.map((r) => r.wall)),
        cpu: cpus.length === runs.length ? median(cpus) : null,
      });
    }
    const tshark = results.find((r) => r.name === 'tshark -r');
    const tcpdump = results.find((r) => r.name === 'tcpdump -nn -r');
    console.log(
      `capture: ${n.toLocaleString('en')} packets (generated), medians of ${RUNS} runs, output to /dev/null; ` +
        'CPU = user + system seconds of the process (fairer than wall clock on a shared machine), start-up included\n',
    );
    const ratio = (peer: number | null | undefined, mine: number | null): string =>
      peer && mine ? (peer / mine).toFixed(2) : 'n/a';
    console.log(
      '| reader | wall s | packets/s (wall) | CPU s | packets/CPU-s | × tshark (wall) | × tshark (CPU) | × tcpdump (CPU) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      const pps = Math.round(n / r.wall).toLocaleString('en');
      const cpuPps = r.cpu ? Math.round(n / r.cpu).toLocaleString('en') : 'n/a';
      console.log(
        `| ${r.name} | ${r.wall.toFixed(2)} | ${pps} | ${r.cpu?.toFixed(2) ?? 'n/a'} | ${cpuPps} | ` +
          `${ratio(tshark?.wall, r.wall)} | ${ratio(tshark?.cpu, r.cpu)} | ${ratio(tcpdump?.cpu, r.cpu)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
