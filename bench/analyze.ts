/**
 * `bansho analyze` throughput against the peers a site would otherwise use on its logs:
 * fail2ban-regex (with a filter for the same attacks, written below) and GoAccess, on one
 * generated 1M-line combined log, in one run, with the ceiling (read + one literal scan per line,
 * bench/_logCeiling.ts) beside them; then bansho and fail2ban-regex on a benign-only and an attack-only log,
 * each shape in a table with the load average it was measured under.
 * Prints medians of wall and CPU time, lines/s, CPU µs per line and ratios (CPU time is the
 * steadier figure on a shared machine). Goals: ≥ 10× fail2ban-regex and ≥ GoAccess's rate.
 * Options (environment): BENCH_ANALYZE_LINES, BENCH_ANALYZE_ATTACK_LINES, BENCH_ANALYZE_RUNS,
 * BENCH_ANALYZE_VS (another build's bin/bansho.js, alternated with this one: an A/B in one run).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../src/catalog/index.js';
import { PlainLine } from '../src/detect/plainLine.js';
import { resolveFormat } from '../src/logs/formats.js';
import { observationFromRecord } from '../src/logs/toObservation.js';
import { builtCli } from './_builtCli.js';
import { generateLog } from './_logShapes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.env.BENCH_ANALYZE_LINES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_ANALYZE_RUNS ?? 3);

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
  const throughGate = (line: string): void => {
    const record = format.parse(line);
    if (record) engine.mayMatch(observationFromRecord(record, 0));
  };
  const gated = (line: string): void => {
    const record = format.parse(line);
    if (!record) return;
    const o = observationFromRecord(record, 0);
    if (engine.mayMatch(o)) engine.match(o);
  };
  const plain = new PlainLine();
  const rawGate = (line: string): void => {
    if (format.plain?.(line, plain)) engine.mayMatchLine(plain);
  };
  const passes = {
    raw: [] as number[],
    parse: [] as number[],
    observe: [] as number[],
    match: [] as number[],
    gate: [] as number[],
    gated: [] as number[],
  };
  for (let pass = 0; pass < 5; pass++) {
    passes.raw.push(cpuMs(rawGate));
    passes.parse.push(cpuMs(parseOnly));
    passes.observe.push(cpuMs(toObservation));
    passes.match.push(cpuMs(throughEngine));
    passes.gate.push(cpuMs(throughGate));
    passes.gated.push(cpuMs(gated));
  }
  const [raw, parse, observe, match, gate, both] = [
    passes.raw,
    passes.parse,
    passes.observe,
    passes.match,
    passes.gate,
    passes.gated,
  ].map(median) as [number, number, number, number, number, number];
  const us = (ms: number) => ((Math.max(0, ms) * 1000) / lines.length).toFixed(2);
  console.log(
    `\nper line, in-process, one core (${lines.length} lines, CPU time): parse ${us(parse)} µs, Observation ${us(observe - parse)} µs, ` +
      `engine (${engine.ruleCount} rules) ${us(match - observe)} µs; plain-request gate ${us(gate - observe)} µs, gate then engine where it says maybe ${us(both - observe)} µs; ` +
      `the raw-line gate, before any parsing (what most lines cost): ${us(raw)} µs`,
  );
}

/**
 * A/B: another build's CLI (its `bin/bansho.js`, after `npm run build` there), run in every
 * round beside this one on every log shape, its figures and the ratio printed after the tables.
 */
const VS = process.env.BENCH_ANALYZE_VS;

/** The attack-only log is shorter: every line of it makes an event, and the bench must end. */
const ATTACK_ONLY_LINES = Number(process.env.BENCH_ANALYZE_ATTACK_LINES ?? Math.min(LINES, 200_000));

/** `bansho analyze` on `log` as users run it (built CLI, events to a fresh SQLite file, text summary). */
function banshoRun(cli: string, log: string, dir: string, tag: string): Measured {
  const db = join(dir, `bench-${tag}.db`);
  try {
    // The text summary, as the peers print one: `--json` would also print every event
    // (30 MB for this log), which neither peer does; the events are stored either way.
    return timeIt(process.execPath, [cli, 'analyze', log, '--db', db, '--no-origins', '--no-progress'], (out) => {
      const hit = /^threat lines: (\d+);/m.exec(out);
      return hit ? Number(hit[1]) : null;
    });
  } finally {
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  }
}

/** fail2ban-regex on `log` with the filter for the bench's attacks; found: its matched lines. */
function fail2banRun(log: string, filter: string): Measured {
  return timeIt('fail2ban-regex', [log, filter], (out) => {
    const hit = /Lines: \d+ lines, \d+ ignored, (\d+) matched/.exec(out);
    return hit ? Number(hit[1]) : null;
  });
}

/** One log shape: bansho and fail2ban-regex (null when not installed) on it, and the load average then. */
interface Shape {
  readonly name: string;
  readonly lines: number;
  readonly ours: Row;
  readonly peer: Row | null;
  readonly load: readonly number[];
}

function printShapes(shapes: readonly Shape[]): void {
  console.log(
    '\n| log shape | lines | bansho lines/s | bansho CPU s | fail2ban-regex lines/s | fail2ban-regex CPU s | faster by (wall) | faster by (CPU) | threat lines (bansho / fail2ban) | load average (1, 5, 15 min) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const cpu = (r: Row | null) => (r?.cpu == null ? 'n/a' : r.cpu.toFixed(2));
  for (const { name, lines, ours, peer, load } of shapes) {
    const wall = peer ? `${(peer.seconds / ours.seconds).toFixed(1)}×` : 'n/a';
    const byCpu = peer?.cpu != null && ours.cpu !== null ? `${(peer.cpu / ours.cpu).toFixed(1)}×` : 'n/a';
    console.log(
      `| ${name} | ${lines.toLocaleString('en-US')} | ${rate(lines, ours.seconds)} | ${cpu(ours)} | ${peer ? rate(lines, peer.seconds) : 'not installed'} | ${cpu(peer)} | ${wall} | ${byCpu} | ${ours.found} / ${peer?.found ?? 'n/a'} | ${load.map((l) => l.toFixed(2)).join(', ')} |`,
    );
  }
  console.log(
    "(goal: ≥ 10× fail2ban-regex; bansho uses every core, fail2ban-regex one; CPU s counts all of a tool's threads)",
  );
}

/** This build against BENCH_ANALYZE_VS's, shape by shape (wall and CPU medians, same rounds). */
function printVersus(versus: ReadonlyArray<{ name: string; ours: Row; vs: Row }>): void {
  console.log(
    `\n| log shape | this build wall s | CPU s | ${VS} wall s | CPU s | this build faster by (wall) | (CPU) |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const cpu = (r: Row) => (r.cpu === null ? 'n/a' : r.cpu.toFixed(2));
  for (const { name, ours, vs } of versus) {
    const byCpu = ours.cpu !== null && vs.cpu !== null ? `${(vs.cpu / ours.cpu).toFixed(2)}×` : 'n/a';
    console.log(
      `| ${name} | ${ours.seconds.toFixed(2)} | ${cpu(ours)} | ${vs.seconds.toFixed(2)} | ${cpu(vs)} | ${(vs.seconds / ours.seconds).toFixed(2)}× | ${byCpu} |`,
    );
  }
}

/** The ceiling (bench/_logCeiling.ts): read and one literal scan per line, on one core, as it measured itself. */
function ceilingRun(log: string): Measured {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', '_logCeiling.ts'), log], {
    encoding: 'utf8',
    cwd: root,
  });
  if (r.status !== 0) throw new Error(`_logCeiling.ts failed: ${r.stderr.slice(-500)}`);
  const m = JSON.parse(r.stdout) as { seconds: number; cpu: number };
  return { seconds: m.seconds, cpu: m.cpu, found: null };
}

interface Row {
  readonly tool: string;
  readonly seconds: number;
  readonly cpu: number | null;
  readonly found: string;
  readonly perRound: readonly number[];
}

function summarise(tool: string, runs: readonly Measured[], noCount = 'n/a'): Row {
  const cpus = runs.map((m) => m.cpu).filter((x): x is number => x !== null);
  const found = runs[0]?.found;
  return {
    tool,
    seconds: median(runs.map((m) => m.seconds)),
    cpu: cpus.length === runs.length ? median(cpus) : null,
    found: found === null || found === undefined ? noCount : String(found),
    perRound: runs.map((m) => m.seconds),
  };
}

const rate = (lines: number, seconds: number): string => Math.round(lines / seconds).toLocaleString('en-US');
const perLine = (lines: number, cpu: number | null): string =>
  cpu === null ? 'n/a' : ((cpu * 1e6) / lines).toFixed(2);

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-bench-analyze-'));
  try {
    const log = join(dir, 'access.log');
    const attacks = await generateLog(log, LINES, 2);
    console.log(
      `generated ${LINES} combined lines (${attacks} attack lines, 2 %); ${RUNS} rounds, each tool once per round, medians`,
    );
    const filter = join(dir, 'bansho-attacks.conf');
    writeFileSync(filter, FAIL2BAN_FILTER);
    const cli = builtCli();
    const contenders: Array<{ tool: string; noCount?: string; run: (round: number) => Measured }> = [
      {
        tool: 'bansho analyze (all rules, events to SQLite)',
        run: (round) => banshoRun(cli, log, dir, `std-${round}`),
      },
      ...(VS
        ? [{ tool: `bansho analyze, ${VS}`, run: (round: number) => banshoRun(VS, log, dir, `vs-${round}`) }]
        : []),
      {
        tool: 'ceiling: read + one literal scan per line (Node, one core)',
        noCount: 'n/a (no rules)',
        run: () => ceilingRun(log),
      },
    ];
    if (existsSync('/usr/bin/goaccess'))
      contenders.push({
        tool: 'goaccess --log-format=COMBINED -o report.json',
        noCount: 'n/a (statistics)',
        // GoAccess picks its output format from the extension; JSON is its cheapest writer.
        run: () => timeIt('goaccess', [log, '--log-format=COMBINED', '-o', join(dir, 'goaccess.json')], () => null),
      });
    else console.log('goaccess not installed (apt-get install goaccess): skipped');
    if (existsSync('/usr/bin/fail2ban-regex'))
      contenders.push({ tool: 'fail2ban-regex (filter for the same attacks)', run: () => fail2banRun(log, filter) });
    else console.log('fail2ban-regex not installed (apt-get install fail2ban): skipped');

    // Round by round, every tool once per round: on a shared machine the load drifts, and it
    // then weighs on all tools alike rather than on whichever ran during a busy spell.
    const measured = contenders.map((): Measured[] => []);
    for (let round = 0; round < RUNS; round++)
      for (const [k, c] of contenders.entries()) measured[k]?.push(c.run(round));
    const standardLoad = loadavg();
    const rows = contenders.map((c, k) => summarise(c.tool, measured[k] as Measured[], c.noCount));
    const base = rows[0] as Row;
    console.log('');
    console.log(
      '| tool | wall s | CPU s | lines/s | CPU µs/line | attack lines found | bansho faster by (wall) | bansho faster by (CPU) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const wallRatio = `${(r.seconds / base.seconds).toFixed(2)}×`;
      const cpuRatio = r.cpu === null || base.cpu === null ? 'n/a' : `${(r.cpu / base.cpu).toFixed(2)}×`;
      console.log(
        `| ${r.tool} | ${r.seconds.toFixed(2)} | ${r.cpu === null ? 'n/a' : r.cpu.toFixed(2)} | ${rate(LINES, r.seconds)} | ${perLine(LINES, r.cpu)} | ${r.found} | ${wallRatio} | ${cpuRatio} |`,
      );
    }
    console.log(
      `\n(${attacks} attack lines generated; goals: ≥ 10× fail2ban-regex, ≥ 1× GoAccess; bansho uses every core, the peers one)`,
    );
    for (const r of rows.slice(1))
      console.log(
        `${r.tool}: per-round wall ratios ${r.perRound.map((t, i) => `${(t / (base.perRound[i] as number)).toFixed(2)}×`).join(', ')}`,
      );

    // The log's extremes beside the standard log: nothing to report, and an event for every
    // line; each beside fail2ban-regex on the same file, round by round.
    const f2b = contenders.find((c) => c.tool.startsWith('fail2ban-regex'));
    const shapes: Shape[] = [];
    const versus: Array<{ name: string; ours: Row; vs: Row }> = [];
    for (const [name, lines, percent] of [
      ['benign only', LINES, 0],
      ['attack only', ATTACK_ONLY_LINES, 100],
    ] as const) {
      const file = join(dir, `${percent}.log`);
      await generateLog(file, lines, percent);
      const ours: Measured[] = [];
      const peer: Measured[] = [];
      const vs: Measured[] = [];
      for (let round = 0; round < RUNS; round++) {
        ours.push(banshoRun(cli, file, dir, `${percent}-${round}`));
        if (VS) vs.push(banshoRun(VS, file, dir, `vs-${percent}-${round}`));
        if (f2b) peer.push(fail2banRun(file, filter));
      }
      if (VS) versus.push({ name, ours: summarise(name, ours), vs: summarise(VS, vs) });
      shapes.push({
        name,
        lines,
        ours: summarise(name, ours),
        peer: f2b ? summarise(f2b.tool, peer) : null,
        load: loadavg(),
      });
      rmSync(file, { force: true });
    }
    const f2bRow = f2b ? (rows[contenders.indexOf(f2b)] as Row) : null;
    shapes.splice(1, 0, { name: 'standard (2 % attacks)', lines: LINES, ours: base, peer: f2bRow, load: standardLoad });
    printShapes(shapes);
    if (VS) {
      const vsRow = rows[1] as Row;
      versus.splice(1, 0, { name: 'standard (2 % attacks)', ours: base, vs: vsRow });
      printVersus(versus);
    }
    breakdown(log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
