/**
 * Fleet mode (issue 18), measured on loopback. Three `bansho serve` share one PostgreSQL
 * database in front of one site: the 2003 sequence (GET http://irc.stealth.net:5558/, then
 * CONNECT maila.microsoft.com:25) against gateway 1 bans the source, and the time until
 * gateways 2 and 3 both drop it at accept is measured for 100 sources (127.0.x.y). The peer,
 * in the same run: three gateways sharing one SQLite file on one machine (the embedded way, a
 * change log polled every 250 ms). Then the events one PostgreSQL takes from three gateways'
 * journals (the fleet link as the gateways run it: multi-row batches), against the same events
 * written to a SQLite journal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SecurityEvent } from '../src/events/securityEvent.js';
import { type EncodedEvent, encodeEvent } from '../src/store/encodedEvent.js';
import { FleetLink } from '../src/store/fleet/fleetLink.js';
import { PgStore } from '../src/store/postgres/pgStore.js';
import { insertEvents } from '../src/store/sqlite/eventWrites.js';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.js';
import { builtCli } from './_builtCli.js';
import { tracked } from './_children.js';

const ADMIN = process.env.BANSHO_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BANS = Number(process.env.BENCH_FLEET_BANS ?? 100);
const EVENTS = Number(process.env.BENCH_FLEET_EVENTS ?? 100_000);

async function admin(sql: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: ADMIN, connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query(sql);
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface Gateway {
  readonly child: ChildProcess;
  readonly port: number;
}

function startGateway(cli: string, args: string[]): Promise<Gateway> {
  const child = tracked(
    spawn(process.execPath, [cli, 'serve', '--listen', '127.0.0.1:0', '--no-dashboard', '--workers', '1', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 20_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d;
      const port = /guarding \S+ on http:\/\/127\.0\.0\.1:(\d+)/.exec(err)?.[1];
      const joined = !args.includes('--store') || err.includes('fleet: connected');
      if (port && joined) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
  });
}

/** One request from `source`; resolves with what came back ('' when dropped at accept). */
function request(port: number, source: string, line: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect({ host: '127.0.0.1', port, localAddress: source });
    s.on('data', (d) => {
      got += d;
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.on('connect', () => s.write(`${line}\r\nHost: irc.stealth.net:5558\r\nConnection: close\r\n\r\n`));
    s.setTimeout(3000, () => s.destroy());
  });
}

async function droppedBy(port: number, source: string, deadline: number): Promise<number> {
  for (;;) {
    if ((await request(port, source, 'GET / HTTP/1.1')) === '') return performance.now();
    if (performance.now() > deadline) return Number.NaN;
  }
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** ms from gateway 1's refusal (the ban durable there) until gateways 2 and 3 both drop the source. */
async function propagation(gateways: Gateway[], octet: number): Promise<number[]> {
  const [g1, g2, g3] = gateways as [Gateway, Gateway, Gateway];
  const times: number[] = [];
  for (let i = 0; i < BANS; i++) {
    const source = `127.${octet}.${1 + (i >> 8)}.${(i & 255) + 1}`;
    await request(g1.port, source, 'GET http://irc.stealth.net:5558/ HTTP/1.1');
    const answer = await request(g1.port, source, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    const t0 = performance.now();
    if (!answer.startsWith('HTTP/1.1 400')) throw new Error(`no refusal for ${source}: ${JSON.stringify(answer)}`);
    const [t2, t3] = await Promise.all([
      droppedBy(g2.port, source, t0 + 10_000),
      droppedBy(g3.port, source, t0 + 10_000),
    ]);
    times.push(Math.max(t2, t3) - t0);
  }
  return times.sort((a, b) => a - b);
}

function summary(name: string, t: number[]): string {
  return `${name.padEnd(34)} p50 ${pct(t, 50).toFixed(1).padStart(6)} ms  p99 ${pct(t, 99).toFixed(1).padStart(6)} ms  max ${(t.at(-1) ?? 0).toFixed(1).padStart(6)} ms`;
}

function gatewayEvent(i: number, gateway: number): EncodedEvent {
  const e: SecurityEvent = {
    '@timestamp': new Date(Date.now() - i).toISOString(),
    message: 'CONNECT maila.microsoft.com:25 refused: proxy abuse (PrettyPark)',
    event: {
      id: `bench-${gateway}-${i}`,
      kind: 'alert',
      category: ['intrusion_detection', 'network'],
      type: ['denied'],
      action: 'blocked',
      module: 'bansho',
      dataset: 'bansho.gateway',
      severity: 73,
    },
    source: { ip: `10.${gateway}.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000) },
    observer: { name: `gw${gateway}` },
    http: { version: '1.0', request: { method: 'CONNECT' }, response: { status_code: 400 } },
    url: { original: 'maila.microsoft.com:25', domain: 'maila.microsoft.com', port: 25 },
    rule: { id: 'proxy-connect-smtp', name: 'CONNECT to a mail port', ruleset: 'bansho', category: 'proxy-abuse' },
    threat: { software: { id: 'prettypark', name: 'PrettyPark' } },
    bansho: {
      sensor: 'gateway',
      evidence: 'CONNECT maila.microsoft.com:25 / HTTP/1.0',
      score: 100,
      matches: [
        {
          rule: 'proxy-connect-smtp',
          threat: 'prettypark',
          score: 100,
          field: 'request.line',
          value: 'CONNECT maila.microsoft.com:25',
        },
      ],
    },
  };
  return encodeEvent(e);
}

async function ingest(dir: string, url: string): Promise<void> {
  const journals = [1, 2, 3].map((g) => {
    const s = new SqliteStore(join(dir, `journal-${g}.db`));
    return { g, s };
  });
  // The peer: the same events into a SQLite journal, as a gateway writes them (256 a transaction).
  const sqliteCpu = process.cpuUsage();
  const s0 = performance.now();
  for (const { g, s } of journals)
    for (let from = 0; from < EVENTS; from += 256)
      insertEvents(
        s.db,
        Array.from({ length: Math.min(256, EVENTS - from) }, (_, k) => gatewayEvent(from + k, g)),
      );
  const sqliteS = (performance.now() - s0) / 1000;
  const sqliteUs = cpuUs(sqliteCpu) / (3 * EVENTS);
  const store = await PgStore.open(url);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const links = journals.map(({ g, s }) =>
    new FleetLink({
      url,
      journal: s.db,
      name: `gw${g}`,
      onBans: () => undefined,
      log: () => undefined,
      shipMs: 20,
    }).start(),
  );
  for (;;) {
    if ((await store.countEvents({})) >= 3 * EVENTS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const pgS = (performance.now() - t0) / 1000;
  const pgUs = cpuUs(c0) / (3 * EVENTS);
  await Promise.all(links.map((l) => l.close()));
  await store.close();
  for (const { s } of journals) await s.close();
  const pgRate = (3 * EVENTS) / pgS;
  const sqliteRate = (3 * EVENTS) / sqliteS;
  console.log(`\nevents: 3 journals × ${EVENTS} gateway events (~${gatewayEvent(0, 1).json.length} B each)`);
  console.log(
    `  PostgreSQL from 3 fleet links   ${Math.round(pgRate).toString().padStart(8)} events/s   ${pgUs.toFixed(1)} µs CPU/event in the links' process`,
  );
  console.log(
    `  peer: SQLite journal writes     ${Math.round(sqliteRate).toString().padStart(8)} events/s   ${sqliteUs.toFixed(1)} µs CPU/event`,
  );
  console.log(`  ratio PostgreSQL/SQLite         ${(pgRate / sqliteRate).toFixed(2)}`);
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

export async function run(): Promise<void> {
  const name = `bansho_bench_fleet_${process.pid}`;
  if (!(await admin(`CREATE DATABASE ${name}`))) {
    console.log(`skipped: PostgreSQL not reachable at ${ADMIN} (set BANSHO_TEST_PG)`);
    return;
  }
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'bansho-bench-fleet-'));
  const site: Server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const upstream = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  const cli = builtCli();
  const running: Gateway[] = [];
  try {
    const fleet: Gateway[] = [];
    for (const g of [1, 2, 3]) {
      const config = join(dir, `gw${g}.yaml`);
      writeFileSync(config, `name: gw${g}\n`);
      fleet.push(
        await startGateway(cli, [
          '--upstream',
          upstream,
          '--config',
          config,
          '--db',
          join(dir, `gw${g}.db`),
          '--store',
          url.toString(),
        ]),
      );
    }
    running.push(...fleet);
    const pgTimes = await propagation(fleet, 61);
    for (const g of running.splice(0)) g.child.kill('SIGTERM');
    const shared: Gateway[] = [];
    for (let g = 0; g < 3; g++)
      shared.push(await startGateway(cli, ['--upstream', upstream, '--db', join(dir, 'shared.db')]));
    running.push(...shared);
    const sqliteTimes = await propagation(shared, 71);
    for (const g of running.splice(0)) g.child.kill('SIGTERM');
    console.log(
      `ban propagation, ${BANS} bans from ${BANS} sources: refusal on gateway 1 → dropped at accept by gateways 2 and 3`,
    );
    console.log(summary('3 gateways, PostgreSQL LISTEN/NOTIFY', pgTimes));
    console.log(summary('peer: 3 gateways on one SQLite file', sqliteTimes));
    console.log(`ratio of p99 (PostgreSQL/SQLite poll)  ${(pct(pgTimes, 99) / pct(sqliteTimes, 99)).toFixed(2)}`);
    await ingest(dir, url.toString());
  } finally {
    for (const g of running) g.child.kill('SIGTERM');
    site.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
}
