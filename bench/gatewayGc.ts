/**
 * The gateway's young-generation garbage collection (issue 21: the p99 at a constant rate is
 * where scavenges land), read from V8's own trace (`--trace-gc-nvp`) rather than timed: bytes
 * allocated per request, scavenges per 10 000 requests, what each scavenge copies (survivors)
 * and promotes. These depend on what the code allocates and keeps, hardly on how busy the
 * machine is; the pauses, which do depend on it, are shown beside them.
 *
 * Paths, one after another at the same constant rate (bench/_openLoop.ts) over 64 connections
 * to a 1 KB nginx page: the reference bare proxy, bansho, and bansho with a fixed young
 * generation (`--min-semi-space-size` = `--max-semi-space-size`): V8 sizes the young generation
 * at start-up and grows it only while much survives, which `--max-semi-space-size` alone does
 * not change once the gateway runs (and `v8.setFlagsFromString` after start does not either).
 * Fewer scavenges each copying more: a p99 escapes them when fewer than 1 % of requests meet one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtCli } from './_builtCli.js';
import { answering, stopChild } from './_children.js';
import { nginxBinary, startNginxStatic } from './_nginx.js';
import { openLoop } from './_openLoop.js';
import { median, rssMiB } from './_processCpu.js';

const RATE = Number(process.env.BENCH_RATE ?? 3600);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;
const PORT = { upstream: 28180, first: 28181 };
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Path {
  readonly name: string;
  readonly args: (port: number) => string[];
}

interface Traced {
  readonly child: ChildProcess;
  /** Every line the process printed so far (V8's trace goes to stdout). */
  readonly lines: string[];
}

/** Start `node --trace-gc-nvp ARGS`, resolved once it says it listens. */
function traced(args: string[]): Promise<Traced> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-gc-nvp', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    let ready = false;
    const onData = (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (!ready && parts.some((l) => l.includes('guarding') || l.includes('listening'))) {
        ready = true;
        resolve({ child, lines });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${lines.join('\n')}`)));
  });
}

const field = (line: string, name: string): number =>
  Number(new RegExp(` ${name.replace('.', '\\.')}=([\\d.]+)`).exec(line)?.[1] ?? Number.NaN);

export async function run(): Promise<void> {
  const nginx = nginxBinary();
  if (!nginx) {
    console.log('skipped: nginx is not installed (Debian: apt-get install nginx-light)');
    return;
  }
  const cli = builtCli();
  const tmp = mkdtempSync(join(tmpdir(), 'bansho-gc-'));
  const upstream = `http://127.0.0.1:${PORT.upstream}`;
  const bansho =
    (flags: string[]) =>
    (port: number): string[] => [
      ...flags,
      cli,
      'serve',
      '--upstream',
      upstream,
      '--listen',
      `127.0.0.1:${port}`,
      '--db',
      join(tmp, `gc-${port}.db`),
      '--no-dashboard',
      '--workers',
      '1',
    ];
  const fixed = (mb: number) => [`--min-semi-space-size=${mb}`, `--max-semi-space-size=${mb}`];
  const paths: Path[] = [
    { name: 'reference bare proxy', args: (port) => ['bench/_referenceProxy.mjs', String(port), upstream] },
    { name: 'bansho', args: bansho([]) },
    { name: 'bansho, semi-space 32 MB', args: bansho(fixed(32)) },
    { name: 'bansho, semi-space 64 MB', args: bansho(fixed(64)) },
  ];
  const children: ChildProcess[] = [];
  try {
    const site = startNginxStatic(nginx, join(tmp, 'site'), PORT.upstream, 1024);
    children.push(site);
    await answering(PORT.upstream);
    console.log(
      `constant rate ${RATE} req/s over ${CONNECTIONS} connections for ${SECONDS} s after 2 s of the same, 1 KB page from nginx; figures from --trace-gc-nvp\n`,
    );
    console.log(
      '| path | allocated B/req | scavenges per 10k req | survivors KiB (median) | copied B/req | promoted B/req | pause ms median / max | RSS MiB | p99 ms |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [i, path] of paths.entries()) {
      const port = PORT.first + i;
      const p = await traced(path.args(port));
      children.push(p.child);
      await openLoop(port, RATE, 2, CONNECTIONS);
      const from = p.lines.length;
      const r = await openLoop(port, RATE, SECONDS, CONNECTIONS);
      const rss = rssMiB(p.child.pid);
      const scavenges = p.lines.slice(from).filter((l) => l.includes(' gc=s '));
      const n = r.completed;
      const sum = (name: string) => scavenges.reduce((a, l) => a + field(l, name), 0);
      const pauses = scavenges.map((l) => field(l, 'pause'));
      console.log(
        `| ${path.name} | ${(sum('allocated') / n).toFixed(0)} | ${((scavenges.length * 1e4) / n).toFixed(1)} | ${(median(scavenges.map((l) => field(l, 'new_space_survived'))) / 1024).toFixed(0)} | ${(sum('new_space_survived') / n).toFixed(0)} | ${(sum('promoted') / n).toFixed(0)} | ${median(pauses).toFixed(2)} / ${Math.max(...pauses).toFixed(2)} | ${rss?.toFixed(0) ?? '—'} | ${r.p99.toFixed(2)} |`,
      );
      await stopChild(p.child);
    }
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
