/**
 * The OWASP CRS engine (src/crs) at paranoia levels 1 and 4: median µs per request for a benign
 * mix (the real Apache log of ../shared/corpus when present, otherwise the built-in log shapes),
 * the same mix with a path, User-Agent and query never seen before in every request (the memos
 * of transformations and prefilter scans then never hit), and an attack mix (the GET requests of
 * CRS's regression tests). Then the linear-time check: one 1 MB hostile argument. Goal: ≤ 100 µs
 * median for benign requests at PL1. Needs CRS in ../shared/crs; says so and returns without it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type CrsEngine, type CrsRequest, loadCrs } from '../src/crs/index.js';
import { BENIGN_PATHS, USER_AGENTS } from './_logShapes.js';

const SHARED = join(process.cwd(), '..', 'shared');
const CRS_DIR = join(SHARED, 'crs');
const LOG = join(SHARED, 'corpus', 'logs', 'elastic-examples', 'apache_logs.first5000.log');
const TESTS = join(SHARED, 'corpus', 'crs-tests', 'tests', 'regression', 'tests');
const COMBINED = /^(\S+) \S+ \S+ \[[^\]]*\] "(\S+) (\S+) (HTTP\/\d\.\d)" \d{3} \S+(?: "([^"]*)" "([^"]*)")?/;
const ROUNDS = 5;

export async function run(): Promise<void> {
  if (!existsSync(CRS_DIR)) {
    console.log(`CRS not found at ${CRS_DIR}: nothing to measure`);
    return;
  }
  const { requests: benign, source } = benignMix();
  const attack = attackMix();
  const rows: string[][] = [];
  let goal = Number.NaN;
  for (const pl of [1, 4]) {
    const started = performance.now();
    const engine = loadCrs({ dir: CRS_DIR, paranoiaLevel: pl });
    const loadMs = performance.now() - started;
    const seen = timeRounds(
      engine,
      benign,
      Array.from({ length: ROUNDS }, () => benign),
    );
    const fresh = timeRounds(
      engine,
      benign.map(unseen),
      Array.from({ length: ROUNDS }, () => benign.map(unseen)),
    );
    const bad = timeRounds(
      engine,
      attack,
      Array.from({ length: ROUNDS }, () => attack),
    );
    if (pl === 1) goal = seen.median;
    rows.push([`PL${pl}`, `${loadMs.toFixed(0)} ms`, us(seen), us(fresh), us(bad)]);
  }
  console.log(
    `benign mix: ${source} (${benign.length} requests); attack mix: ${attack.length} GET requests of CRS's tests\n`,
  );
  table(['paranoia', 'load (cached)', 'benign', 'benign, unseen values', 'attack'], rows);
  console.log('(each cell: median µs per request; in parentheses the mean, and the mean CPU time, which other');
  console.log(` processes on the machine inflate less than wall time — load average now ${loadavg()[0]?.toFixed(1)})`);
  hostile();
  console.log(
    `\ngoal ≤ 100 µs median per benign request at PL1: ${goal <= 100 ? 'met' : 'NOT met'} (${goal.toFixed(1)} µs)`,
  );
}

function us(t: { median: number; mean: number; cpu: number }): string {
  return `${t.median.toFixed(1)} (${t.mean.toFixed(1)}; cpu ${t.cpu.toFixed(1)})`;
}

/** A 1 MB argument built to make a backtracking engine explode, against every CRS regex. */
function hostile(): void {
  const engine = loadCrs({ dir: CRS_DIR, paranoiaLevel: 4 });
  for (const size of [64 * 1024, 1024 * 1024]) {
    const value = "' or (((( ${${ <a on x=;|`$( ".repeat(Math.ceil(size / 32)).slice(0, size);
    const request = get(`/?q=${encodeURIComponent(value)}`, USER_AGENTS[0] as string);
    const t = performance.now();
    const verdict = engine.evaluate(request);
    const ms = performance.now() - t;
    console.log(
      `hostile argument of ${size / 1024} KiB at PL4: ${ms.toFixed(0)} ms (${((ms * 1000) / size).toFixed(2)} µs per byte), ${verdict.matches.length} matches`,
    );
  }
}

function get(uri: string, userAgent: string, referer?: string): CrsRequest {
  const headers: Array<[string, string]> = [
    ['Host', 'www.example.org'],
    ['User-Agent', userAgent],
    ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['Accept-Language', 'en-US,en;q=0.5'],
    ['Accept-Encoding', 'gzip, deflate'],
  ];
  if (referer !== undefined && referer !== '-') headers.push(['Referer', referer]);
  return { method: 'GET', uri, version: 'HTTP/1.1', headers, body: null, remoteAddr: '192.0.2.10' };
}

function benignMix(): { requests: CrsRequest[]; source: string } {
  if (existsSync(LOG)) {
    const requests: CrsRequest[] = [];
    for (const line of readFileSync(LOG, 'utf8').split('\n')) {
      const m = COMBINED.exec(line);
      if (m === null || m[2] !== 'GET') continue;
      requests.push(get(m[3] as string, m[6] ?? (USER_AGENTS[0] as string), m[5]));
    }
    return { requests, source: 'apache_logs.first5000.log (GET lines)' };
  }
  const requests = Array.from({ length: 2000 }, (_, n) =>
    get(
      (BENIGN_PATHS[n % BENIGN_PATHS.length] as (n: number) => string)(n),
      USER_AGENTS[n % USER_AGENTS.length] as string,
    ),
  );
  return { requests, source: 'built-in log shapes' };
}

/** Every GET of CRS's regression tests that expects a rule to fire: real attack strings. */
function attackMix(): CrsRequest[] {
  if (!existsSync(TESTS)) return [];
  const out: CrsRequest[] = [];
  for (const dir of readdirSync(TESTS, { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.startsWith('REQUEST-9')) continue;
    for (const file of readdirSync(join(TESTS, dir.name))) {
      const doc = parse(readFileSync(join(TESTS, dir.name, file), 'utf8')) as {
        tests?: Array<{
          stages: Array<{ input?: { method?: string; uri?: string }; output?: { log?: { expect_ids?: number[] } } }>;
        }>;
      } | null;
      for (const test of doc?.tests ?? [])
        for (const stage of test.stages) {
          const input = stage.input ?? {};
          if ((input.method ?? 'GET') === 'GET' && input.uri?.startsWith('/') && stage.output?.log?.expect_ids)
            out.push(get(input.uri, USER_AGENTS[0] as string));
        }
    }
  }
  return out;
}

let unseenCounter = 0;

/** The same request with a path, query and User-Agent no earlier request had. */
function unseen(r: CrsRequest): CrsRequest {
  const n = (unseenCounter++).toString(36);
  const headers = r.headers.map(([k, v]): [string, string] => (k === 'User-Agent' ? [k, `${v} u${n}`] : [k, v]));
  const uri = `/u${n}${r.uri}${r.uri.includes('?') ? '&' : '?'}v=${n}`;
  return { ...r, uri, headers };
}

function timeRounds(
  engine: CrsEngine,
  warmUp: readonly CrsRequest[],
  rounds: ReadonlyArray<readonly CrsRequest[]>,
): { median: number; mean: number; cpu: number } {
  for (const r of warmUp) engine.evaluate(r);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (const mix of rounds)
    for (const r of mix) {
      const t = performance.now();
      engine.evaluate(r);
      times.push((performance.now() - t) * 1000);
    }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)] ?? 0,
    mean: times.reduce((a, b) => a + b, 0) / Math.max(times.length, 1),
    cpu: (used.user + used.system) / Math.max(times.length, 1),
  };
}

function table(head: readonly string[], rows: readonly string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
