/**
 * `bansho analyze` throughput against the peers a site would otherwise use on its logs:
 * fail2ban-regex (with a filter for the same attacks, written below) and GoAccess, on one
 * generated 1M-line combined log, in one run. Prints medians of wall-clock lines/s and ratios.
 * Goals: ≥ 10× fail2ban-regex and ≥ GoAccess's rate.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../src/catalog/index.js';
import { resolveFormat } from '../src/logs/formats.js';
import { observationFromRecord } from '../src/logs/toObservation.js';
import { builtCli } from './_builtCli.js';
import { BENIGN_PATHS, USER_AGENTS } from './_logShapes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.env.BENCH_ANALYZE_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_ANALYZE_RUNS ?? 3);

/** Attacks both tools are asked to find: the seed's proxy abuse, traversal, probes, injection. */
const ATTACKS = [
  'GET http://irc.stealth.net:5558/ HTTP/1.1',
  'CONNECT maila.microsoft.com:25 / HTTP/1.0',
  'CONNECT mx.example.com:25 HTTP/1.1',
  'GET /../../../../etc/passwd HTTP/1.1',
  'GET /cgi-bin/.%2e/.%2e/.%2e/etc/passwd HTTP/1.1',
  'GET /phpMyAdmin/scripts/setup.php HTTP/1.1',
  'GET /phpmyadmin/index.php HTTP/1.1',
  "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1",
  'GET /.env HTTP/1.1',
  'GET /.git/config HTTP/1.1',
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clf(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A deterministic combined log: 2% attack lines among ordinary traffic, one line per ~86 ms. */
export async function generate(file: string, lines: number): Promise<number> {
  const out = createWriteStream(file);
  let attacks = 0;
  let seed = 0x2f6b_1a3d;
  const rnd = (n: number): number => {
    // xorshift32: deterministic, and its low bits are not periodic like an LCG's.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const t0 = Date.UTC(2003, 0, 1);
  let batch = '';
  for (let i = 0; i < lines; i++) {
    const ip = `${11 + rnd(200)}.${rnd(256)}.${rnd(256)}.${1 + rnd(254)}`;
    const time = clf(t0 + i * 86);
    if (rnd(100) < 2) {
      const req = ATTACKS[rnd(ATTACKS.length)] as string;
      const status = req.startsWith('CONNECT') ? 400 : req.startsWith('GET http') ? 200 : 404;
      batch += `${ip} - - [${time}] "${req}" ${status} 226 "-" "-"\n`;
      attacks++;
    } else {
      const path = (BENIGN_PATHS[rnd(BENIGN_PATHS.length)] as (n: number) => string)(rnd(100_000));
      batch += `${ip} - - [${time}] "GET ${path} HTTP/1.1" 200 ${100 + rnd(50_000)} "https://www.example.org/" "${USER_AGENTS[rnd(USER_AGENTS.length)]}"\n`;
    }
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return attacks;
}

/** A fail2ban filter for the same attacks (what an admin would write for this log). */
const FAIL2BAN_FILTER = String.raw`[Definition]
failregex = ^<HOST> [^"]*"(?:GET|POST|HEAD) https?://[^"]*" \d+
            ^<HOST> [^"]*"CONNECT [^"]*" \d+
            ^<HOST> [^"]*"[A-Z]+ [^"]*(?:\.\./|\.%%2e/)[^"]*" \d+
            ^<HOST> [^"]*"[A-Z]+ /(?:(?i:phpmyadmin)|\.env|\.git/)[^"]*" \d+
            ^<HOST> [^"]*"[A-Z]+ [^"]*(?i:union(?:%%20|\+|\s)+select)[^"]*" \d+
ignoreregex =
datepattern = %%d/%%b/%%Y:%%H:%%M:%%S %%z
`;

interface Measured {
  readonly seconds: number;
  /** User + system CPU seconds (null without GNU time): fairer than wall time on a shared machine. */
  readonly cpu: number | null;
  readonly found: number | null;
}

const GNU_TIME = '/usr/bin/time';

function timeIt(cmd: string, args: string[], parse: (stdout: string) => number | null): Measured {
  const timed = existsSync(GNU_TIME);
  const [bin, argv] = timed ? [GNU_TIME, ['-f', 'cpu %U %S', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(bin, argv, { encoding: 'utf8', maxBuffer: 256 << 20, cwd: root });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const cpuLine = /^cpu ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  const cpu = cpuLine ? Number(cpuLine[1]) + Number(cpuLine[2]) : null;
  return { seconds, cpu, found: parse(r.stdout) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Where a line's time goes, in-process on one core, over the first 100k lines: parsing,
 * building the Observation, and the rule engine. Each pass runs a line through one more stage
 * and keeps nothing (retaining 100k records or Observations made the collector's work look like
 * parsing's); a stage's cost is its pass minus the one before, in thread CPU time, median of 5.
 */
function breakdown(log: string): void {
  const head = Buffer.alloc(24 << 20);
  const fd = openSync(log, 'r');
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const lines = head
    .toString('latin1', 0, n)
    .split('\n', 100_000)
    .filter((l) => l !== '');
  const format = resolveFormat('combined');
  const engine = loadEngine();
  const cpuMs = (stage: (line: string) => void): number => {
    const start = process.cpuUsage();
    for (const line of lines) stage(line);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  const parseOnly = (line: string): void => {
    format.parse(line);
  };
  const toObservation = (line: string): void => {
    const record = format.parse(line);
    if (record) observationFromRecord(record, 0);
  };
  const throughEngine = (line: string): void => {
    const record = format.parse(line);
    if (record) engine.match(observationFromRecord(record, 0));
  };
  const passes = { parse: [] as number[], observe: [] as number[], match: [] as number[] };
  for (let pass = 0; pass < 5; pass++) {
    passes.parse.push(cpuMs(parseOnly));
    passes.observe.push(cpuMs(toObservation));
    passes.match.push(cpuMs(throughEngine));
  }
  const [parse, observe, match] = [median(passes.parse), median(passes.observe), median(passes.match)];
  const us = (ms: number) => ((Math.max(0, ms) * 1000) / lines.length).toFixed(2);
  console.log(
    `\nper line, in-process, one core (${lines.length} lines, CPU time): parse ${us(parse)} µs, Observation ${us(observe - parse)} µs, engine (${engine.ruleCount} rules) ${us(match - observe)} µs`,
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-bench-analyze-'));
  try {
    const log = join(dir, 'access.log');
    const attacks = await generate(log, LINES);
    console.log(
      `generated ${LINES} combined lines (${attacks} attack lines); ${RUNS} rounds, each tool once per round, median wall time`,
    );
    const filter = join(dir, 'bansho-attacks.conf');
    writeFileSync(filter, FAIL2BAN_FILTER);
    const contenders: Array<{ tool: string; run: (round: number) => Measured }> = [
      {
        tool: 'bansho analyze (all rules, events to SQLite)',
        run: (round) => {
          const db = join(dir, `bench-${round}.db`);
          try {
            // The text summary, as the peers print one: `--json` would also print every event
            // (30 MB for this log), which neither peer does; the events are stored either way.
            return timeIt(
              process.execPath,
              [builtCli(), 'analyze', log, '--db', db, '--no-origins', '--no-progress'],
              (out) => {
                const hit = /^threat lines: (\d+);/m.exec(out);
                return hit ? Number(hit[1]) : null;
              },
            );
          } finally {
            rmSync(db, { force: true });
            rmSync(`${db}-wal`, { force: true });
            rmSync(`${db}-shm`, { force: true });
          }
        },
      },
    ];
    if (existsSync('/usr/bin/goaccess'))
      contenders.push({
        tool: 'goaccess --log-format=COMBINED -o report.json',
        // GoAccess picks its output format from the extension; JSON is its cheapest writer.
        run: () => timeIt('goaccess', [log, '--log-format=COMBINED', '-o', join(dir, 'goaccess.json')], () => null),
      });
    else console.log('goaccess not installed: skipped');
    if (existsSync('/usr/bin/fail2ban-regex'))
      contenders.push({
        tool: 'fail2ban-regex (filter for the same attacks)',
        run: () =>
          timeIt('fail2ban-regex', [log, filter], (out) => {
            const hit = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(out);
            return hit ? Number(hit[1]) : null;
          }),
      });
    else console.log('fail2ban-regex not installed: skipped');

    // Round by round, every tool once per round: on a shared machine the load drifts, and it
    // then weighs on all tools alike rather than on whichever ran during a busy spell.
    const measured = contenders.map((): Measured[] => []);
    for (let round = 0; round < RUNS; round++)
      for (const [k, c] of contenders.entries()) measured[k]?.push(c.run(round));
    const rows = contenders.map((c, k) => {
      const runs = measured[k] as Measured[];
      const cpus = runs.map((m) => m.cpu).filter((x): x is number => x !== null);
      const found = runs[0]?.found;
      return {
        tool: c.tool,
        seconds: median(runs.map((m) => m.seconds)),
        cpu: cpus.length === runs.length ? median(cpus) : null,
        found: found === null || found === undefined ? 'n/a (statistics)' : String(found),
        perRound: runs.map((m) => m.seconds),
      };
    });
    const base = rows[0] as (typeof rows)[number];
    const baseRate = LINES / base.seconds;
    console.log('');
    console.log('| tool | seconds | CPU seconds | lines/s | attack lines found | bansho ÷ tool |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const rate = LINES / r.seconds;
      const ratio = r === base ? '1.00×' : `${(baseRate / rate).toFixed(2)}×`;
      console.log(
        `| ${r.tool} | ${r.seconds.toFixed(2)} | ${r.cpu === null ? 'n/a' : r.cpu.toFixed(2)} | ${Math.round(rate).toLocaleString('en-US')} | ${r.found} | ${ratio} |`,
      );
    }
    console.log(`\n(${attacks} attack lines generated; goals: ≥ 10× fail2ban-regex, ≥ 1× GoAccess)`);
    const bansho = rows[0]?.perRound ?? [];
    for (const r of rows.slice(1))
      console.log(
        `${r.tool}: per-round ratios ${r.perRound.map((t, i) => `${(t / (bansho[i] as number)).toFixed(2)}×`).join(', ')}`,
      );
    breakdown(log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
