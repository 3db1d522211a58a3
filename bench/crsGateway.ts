/**
 * The gateway with the OWASP CRS at PL1 against Apache + ModSecurity 2 + CRS (issue 19 item 6),
 * in one run, through the same load tool (wrk, same threads and connections) and in front of
 * the same upstream (bench/_upstream.ts): requests/s, and CPU µs per request of each server's
 * processes (all of Apache's children; bansho's one process), which other processes on the
 * machine inflate less than wall time. Both run the same rules, Debian's CRS 3.3.4 at PL1;
 * bansho also with CRS v4 (../shared/crs) where present. The request is benign, with a
 * browser's headers, so every server forwards it (any refusal fails the run). Goal: bansho ≥ 20×
 * Apache + ModSecurity per CPU second. The reference bare Node proxy (no rules) runs in the same
 * run: its ratio to Apache is the ceiling any Node gateway can reach on this machine.
 *
 * Needs wrk; Apache's row needs `apt-get install apache2 libapache2-mod-security2
 * modsecurity-crs` and says so, and is skipped, where they are absent.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apacheMissing, DEBIAN_CRS, freePort, hasCommand, type Server, startApache } from './_apacheModsec.js';
import { tracked } from './_children.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const WARM_UP_REQUESTS = 2000;
const CRS_V4 = join(ROOT, '..', 'shared', 'crs');
const PATH = '/products/view.php?id=42&sort=price&lang=en';
const HEADERS = [
  // A name, as browsers send: a numeric Host is a CRS finding (920350) on its own.
  'Host: www.example.org',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language: en-US,en;q=0.5',
  'Accept-Encoding: gzip, deflate',
];

interface Sample {
  readonly rps: number;
  readonly cpuUsPerRequest: number;
}

export async function run(): Promise<void> {
  if (!hasCommand('wrk')) {
    console.log('wrk not found (apt-get install wrk): nothing to measure');
    return;
  }
  if (!existsSync(DEBIAN_CRS)) {
    console.log(`${DEBIAN_CRS} not found (apt-get install modsecurity-crs): nothing to compare`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bansho-crs-gateway-'));
  chmodSync(dir, 0o777);
  const upstreamPort = await freePort();
  const upstream = await startNode(['bench/_upstream.ts', String(upstreamPort)], 'ready');
  const servers: Server[] = [];
  try {
    servers.push(await startReference(upstreamPort));
    servers.push(await startBansho('bansho, packs only (no CRS)', null, upstreamPort, dir));
    servers.push(await startBansho('bansho + CRS 3.3.4 (Debian) PL1', DEBIAN_CRS, upstreamPort, dir));
    if (existsSync(CRS_V4)) servers.push(await startBansho('bansho + CRS v4 PL1', CRS_V4, upstreamPort, dir));
    const apache = apacheMissing();
    if (apache === null) servers.push(await startApache(upstreamPort, dir));
    else console.log(`Apache + ModSecurity not measured: ${apache}`);
    const samples = new Map<string, Sample[]>(servers.map((s) => [s.name, []]));
    // Warm-up by count, not time: JIT, lazily compiled regexes, Apache's children.
    for (const s of servers) await warmUp(s.url, WARM_UP_REQUESTS);
    for (let r = 0; r < RUNS; r++) for (const s of servers) samples.get(s.name)?.push(measure(s));
    report(servers, samples);
  } finally {
    for (const s of servers) await s.stop();
    await stopChild(upstream);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(servers: readonly Server[], samples: ReadonlyMap<string, Sample[]>): void {
  const medians = servers.map((s) => {
    const list = samples.get(s.name) ?? [];
    return {
      name: s.name,
      rps: median(list.map((x) => x.rps)),
      cpu: median(list.map((x) => x.cpuUsPerRequest)),
    };
  });
  console.log(
    `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, ${RUNS} runs each, medians; GET ${PATH} with a browser's headers\n`,
  );
  const width = Math.max(...medians.map((m) => m.name.length));
  console.log(`${'server'.padEnd(width)}  req/s     CPU µs/req`);
  for (const m of medians)
    console.log(`${m.name.padEnd(width)}  ${m.rps.toFixed(0).padStart(7)}  ${m.cpu.toFixed(0).padStart(10)}`);
  const apache = medians.find((m) => m.name.startsWith('Apache'));
  if (apache === undefined) return;
  const ceiling = medians.find((m) => m.name === REFERENCE);
  for (const m of medians) {
    if (m === apache || m.name.includes('packs only')) continue;
    const ratio = apache.cpu / m.cpu;
    console.log(
      `\n${m.name} vs ${apache.name}: ${(m.rps / apache.rps).toFixed(1)}× the requests/s, ` +
        `${ratio.toFixed(1)}× less CPU per request (goal ≥ 20×)`,
    );
    // The ceiling: a Node proxy that runs no rule at all, against the same Apache.
    if (ceiling !== undefined && m !== ceiling)
      console.log(`  that is ${((100 * ratio) / (apache.cpu / ceiling.cpu)).toFixed(0)} % of the ceiling's ratio`);
  }
}

/** The reference bare Node proxy (no rules, no log): the ceiling of any Node gateway here. */
const REFERENCE = 'reference bare Node proxy (no rules)';

async function startReference(upstreamPort: number): Promise<Server> {
  const port = await freePort();
  const child = await startNode(
    ['bench/_referenceProxy.mjs', String(port), `http://127.0.0.1:${upstreamPort}`],
    'listening',
  );
  return {
    name: REFERENCE,
    url: `http://127.0.0.1:${port}`,
    pids: () => [child.process.pid as number],
    stop: () => stopChild(child),
  };
}

function measure(server: Server): Sample {
  const before = cpuMicros(server.pids());
  const result = wrk(server.url, SECONDS);
  const used = cpuMicros(server.pids()) - before;
  return { rps: result.rps, cpuUsPerRequest: used / Math.max(result.requests, 1) };
}

/** `count` requests, eight connections at a time, each answered 2xx. */
async function warmUp(url: string, count: number): Promise<void> {
  const headers = Object.fromEntries(HEADERS.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 2)]));
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const { hostname, port } = new URL(url);
  let left = count;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ agent, hostname, port, path: PATH, headers }, (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${url}: ${res.statusCode} to a benign request`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (left-- > 0) await one();
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
}

function wrk(url: string, seconds: number): { rps: number; requests: number } {
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, ...HEADERS.flatMap((h) => ['-H', h]), `${url}${PATH}`];
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx !== null) throw new Error(`${url}: ${non2xx[1]} refused or failed responses to a benign request\n${out}`);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  return { rps, requests };
}

/** CPU time (user + system) of these processes so far, in µs, from /proc (clock ticks of 10 ms). */
function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone between listing and reading: its time is lost either way.
    }
  }
  return ticks * 10_000;
}

async function startBansho(name: string, crs: string | null, upstreamPort: number, dir: string): Promise<Server> {
  const db = join(dir, `bansho-${upstreamPort}-${name.length}.db`);
  const child = await startNode(
    [
      'src/cli/main.ts',
      'serve',
      '--workers',
      '1',
      '--upstream',
      `http://127.0.0.1:${upstreamPort}`,
      '--listen',
      '127.0.0.1:0',
      '--no-dashboard',
      '--db',
      db,
      ...(crs === null ? [] : ['--crs', crs]),
    ],
    'guarding',
  );
  const port = Number(/ on http:\/\/[^ ]+:(\d+) /.exec(child.seen)?.[1]);
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pids: () => [child.process.pid as number],
    stop: () => stopChild(child),
  };
}

interface NodeChild {
  readonly process: ChildProcess;
  seen: string;
}

function startNode(args: string[], readyText: string): Promise<NodeChild> {
  return new Promise((resolve, reject) => {
    const child = tracked(
      spawn(process.execPath, ['--import', 'tsx', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const handle: NodeChild = { process: child, seen: '' };
    const onData = (d: Buffer) => {
      handle.seen += d;
      if (handle.seen.includes(readyText)) resolve(handle);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${handle.seen}`)));
  });
}

function stopChild(child: NodeChild): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGTERM');
  });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
