/**
 * `npm run bench -- monitor`: `bansho monitor -r` (packet log to /dev/null, and detection only)
 * against `tshark -r` and `tcpdump -nn -r`, all on the same generated capture in one run, with
 * the ceilings of the language beside them (./_pcapCeiling.mjs: a Node program that only
 * prints a header line per packet, the packet log's; ./_pcapLookupCeiling.mjs: one that decodes
 * the headers and looks each packet's conversation up in a Map, printing nothing, detection's).
 * CPU µs per packet (user + system of the process and its threads, start-up included) is the
 * figure to read on a shared machine; wall clock is shown too.
 * Start-up is measured by hyperfine on a small capture (one round of visits) and on one with no
 * packet, beside tshark's and tcpdump's on the same small file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcap } from '../test/monitor/helpers/captureWriter.js';
import { ethernet, FLAGS, ipv4, OPT, tcp, udp } from '../test/monitor/helpers/packets.js';
import { builtCli } from './_builtCli.js';
import { installed, startUp, startUpEnv } from './_monitorStartup.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKETS = Number(process.env.BANSHO_BENCH_MONITOR_PACKETS ?? 200_000);
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
  /** User + system CPU seconds of the process and its threads. */
  readonly cpu: number;
}

/** Clock ticks per second of /proc's times (USER_HZ). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU seconds of this process's children waited for so far (cutime + cstime of /proc/self/stat):
 * a child's whole cost, threads included, with no tool around it.
 */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), counted from the state (field 3) at index 0.
  return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

/**
 * Run one reader to /dev/null, one at a time (children's CPU is read around it), without
 * NODE_EXTRA_CA_CERTS, as the start-up runs: a certificate bundle parsed by every Node process
 * before its code runs (≈ 40 ms CPU where it is set) is the machine's, not the reader's.
 */
function timeRun(cmd: string, args: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const cpuBefore = childrenCpu();
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', devnull, 'ignore'], env: startUpEnv() });
    child.once('error', reject);
    child.once('close', (code) => {
      closeSync(devnull);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      resolve({ wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: childrenCpu() - cpuBefore });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

interface Contender {
  readonly name: string;
  readonly cmd: string;
  readonly args: string[];
}

/** Each contender once per round: on a shared machine the load drifts, and then weighs on all alike. */
async function rounds(contenders: readonly Contender[], runs: number): Promise<Timing[]> {
  const runsOf = contenders.map((): Timing[] => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of contenders.entries()) runsOf[k]?.push(await timeRun(c.cmd, c.args));
  }
  return runsOf.map((r) => ({ wall: median(r.map((t) => t.wall)), cpu: median(r.map((t) => t.cpu)) }));
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-bench-monitor-'));
  try {
    const file = join(dir, 'big.pcap');
    const n = generate(file, PACKETS);
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, pcap([], { linkType: 1 }));
    // One round of visits: the first HTTP request and datagram compile the rules they need.
    const small = join(dir, 'small.pcap');
    const smallPackets = generate(small, 1);
    const bansho = [builtCli(), 'monitor', '--no-store', '-r'];
    const node = process.execPath;
    const contenders: Contender[] = [
      {
        name: 'ceiling: Node, a header line per packet',
        cmd: node,
        args: [join(root, 'bench', '_pcapCeiling.mjs'), file],
      },
      {
        name: 'ceiling: Node, headers decoded and a Map lookup per packet (no output)',
        cmd: node,
        args: [join(root, 'bench', '_pcapLookupCeiling.mjs'), file],
      },
      { name: 'bansho monitor -r (packet log)', cmd: node, args: [...bansho, file] },
      { name: 'bansho monitor -r --no-log (detection only)', cmd: node, args: [...bansho, file, '--no-log'] },
    ];
    const skipped: string[] = [];
    if (installed('tshark', '-v')) contenders.push({ name: 'tshark -r', cmd: 'tshark', args: ['-r', file] });
    else skipped.push('tshark (not installed: apt-get install tshark)');
    if (installed('tcpdump', '--version'))
      contenders.push({ name: 'tcpdump -nn -r', cmd: 'tcpdump', args: ['-nn', '-r', file] });
    else skipped.push('tcpdump (not installed: apt-get install tcpdump)');
    const loadBefore = loadavg()[0] as number;
    const results = await rounds(contenders, RUNS);
    const of = (name: string): Timing | undefined => results[contenders.findIndex((c) => c.name === name)];
    const tshark = of('tshark -r');
    const tcpdump = of('tcpdump -nn -r');
    console.log(
      `capture: ${n.toLocaleString('en')} packets (generated: DNS, HTTP with TCP options, one visit in ${ATTACK_EVERY} ` +
        `a CONNECT), medians of ${RUNS} runs, output to /dev/null; CPU = user + system of the process and its ` +
        'threads, start-up included (fairer than wall clock on a shared machine); every run without NODE_EXTRA_CA_CERTS',
    );
    for (const s of skipped) console.log(`skipped: ${s}`);
    console.log('');
    const ratio = (peer: number | undefined, mine: number): string => (peer ? `${(peer / mine).toFixed(2)}×` : 'n/a');
    console.log('| reader | wall s | CPU s | CPU µs/packet | × tshark (CPU) | × tcpdump -nn (CPU) | × tshark (wall) |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [k, c] of contenders.entries()) {
      const r = results[k] as Timing;
      console.log(
        `| ${c.name} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${((r.cpu / n) * 1e6).toFixed(2)} | ` +
          `${ratio(tshark?.cpu, r.cpu)} | ${ratio(tcpdump?.cpu, r.cpu)} | ${ratio(tshark?.wall, r.wall)} |`,
      );
    }
    const start = startUp(bansho, { empty, small, smallPackets }, skipped, Math.max(10, RUNS));
    const lookup = of('ceiling: Node, headers decoded and a Map lookup per packet (no output)');
    if (start !== null && lookup !== undefined && tshark !== undefined) {
      // What any Node detection pays at least: bansho's own start with its rules, and the
      // lookup ceiling's per-packet work (its CPU less node's bare start), before reassembly,
      // HTTP parsing or a single rule runs.
      const floor = start.smallCpu + Math.max(0, lookup.cpu - start.nodeCpu);
      console.log(
        `\ndetection's floor: bansho's start with its rules ${start.smallCpu.toFixed(3)} s CPU + the lookup ceiling's ` +
          `packet work ${Math.max(0, lookup.cpu - start.nodeCpu).toFixed(3)} s = ${floor.toFixed(3)} s, ` +
          `${(tshark.cpu / floor).toFixed(2)}× tshark before any reassembly, HTTP parsing or rule (5× tshark is ${(tshark.cpu / 5).toFixed(3)} s)`,
      );
    }
    const line = of('ceiling: Node, a header line per packet');
    if (start !== null && line !== undefined && tcpdump !== undefined) {
      // The packet log is detection plus a line per packet: at least bansho's start with its
      // rules and the line ceiling's per-packet work (which decodes less than tcpdump prints and
      // skips the lookup, so this is a lower bound).
      const work = Math.max(0, line.cpu - start.nodeCpu);
      const floor = start.smallCpu + work;
      console.log(
        `packet log's floor: bansho's start with its rules ${start.smallCpu.toFixed(3)} s CPU + the line ceiling's ` +
          `packet work ${work.toFixed(3)} s = ${floor.toFixed(3)} s, ${(tcpdump.cpu / floor).toFixed(2)}× tcpdump -nn ` +
          `(${tcpdump.cpu.toFixed(3)} s) before any reassembly, sequence analysis, HTTP parsing or rule`,
      );
    }
    console.log(
      `\nload average (1 min): ${loadBefore.toFixed(2)} before, ${(loadavg()[0] as number).toFixed(2)} after (the machine's others share its cores)`,
    );
    console.log('goals (issue 21): packet log ≥ 1× tcpdump -nn (CPU), detection only ≥ 5× tshark, start-up ≤ 0.15 s');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
