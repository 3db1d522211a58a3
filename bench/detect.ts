/**
 * The detection engine with every built-in pack loaded: median µs per request for a benign
 * mix (the real Apache log of ../shared/corpus when present, otherwise a built-in sample) and an
 * attack mix (every rule's must-match example). The peer, measured in the same run, is the same
 * rule set with prefilters switched off, so every rule is evaluated in full. Goal: ≤ 10 µs
 * median for benign requests.
 *
 * The engine remembers what it made of values seen before (transformation chains, prefilter
 * verdicts), and the mixes above are replayed ROUNDS times, so they measure traffic whose
 * values repeat. The "unseen" mix gives every request a path, User-Agent and referer no
 * earlier request had (a fresh copy per round): the cost when nothing repeats. The "log-like"
 * mix is what `bansho analyze` meets in bench/analyze.ts's generated log: distinct page, search
 * and API paths and queries, four User-Agents and one referer repeated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_RULES_DIR } from '../src/catalog/index.js';
import { loadRuleDir } from '../src/catalog/loadRules.js';
import { RuleEngine } from '../src/detect/engine.js';
import { EXAMPLE_LISTS, observationFromExample } from '../src/detect/examples.js';
import type { Engine } from '../src/detect/types.js';
import { buildHttpRequest } from '../src/observe/httpRequest.js';
import type { Observation } from '../src/observe/observation.js';
import { BENIGN_PATHS, USER_AGENTS } from './_logShapes.js';

const LOG = join(process.cwd(), '..', 'shared', 'corpus', 'logs', 'elastic-examples', 'apache_logs.first5000.log');
const COMBINED =
  /^(\S+) \S+ \S+ \[[^\]]*\] "((?:[^"\\]|\\.)*)" (\d{3}) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const ROUNDS = 7;

export async function run(): Promise<void> {
  const lists = { ...EXAMPLE_LISTS, site_names: [...(EXAMPLE_LISTS.site_names ?? []), 'semicomplete.com'] };
  const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, lists);
  const unfiltered = new RuleEngine(engine.rules.map((r) => ({ ...r, prefilter: null })));
  const { observations: benign, source } = benignMix();
  const attack = rules
    .filter((r) => r.spec.on === 'http')
    .flatMap((r) => r.spec.examples.match.map((e) => observationFromExample(e)));

  const rows: string[][] = [];
  const results: Record<string, number> = {};
  for (const [mixName, mix] of [
    ['benign', benign],
    ['attack', attack],
  ] as const) {
    for (const [engineName, e] of [
      ['bansho (prefilters)', engine],
      ['peer: no prefilters', unfiltered],
    ] as const) {
      const { median, mean } = measure(e, mix);
      results[`${mixName}/${engineName}`] = median;
      rows.push([mixName, engineName, String(mix.length), `${median.toFixed(2)} µs`, `${mean.toFixed(2)} µs`]);
    }
  }
  for (const [engineName, e] of [
    ['bansho (prefilters)', engine],
    ['peer: no prefilters', unfiltered],
  ] as const) {
    const passes = Array.from({ length: ROUNDS + 1 }, () => logLikeMix(5000));
    const { median, mean } = timeRounds(e, passes[0] as Observation[], passes.slice(1));
    results[`log-like/${engineName}`] = median;
    rows.push(['log-like, unseen paths', engineName, '5000', `${median.toFixed(2)} µs`, `${mean.toFixed(2)} µs`]);
  }
  for (const [engineName, e] of [
    ['bansho (prefilters)', engine],
    ['peer: no prefilters', unfiltered],
  ] as const) {
    const { median, mean } = measureUnseen(e, benign);
    results[`unseen/${engineName}`] = median;
    rows.push([
      'benign, unseen values',
      engineName,
      String(benign.length),
      `${median.toFixed(2)} µs`,
      `${mean.toFixed(2)} µs`,
    ]);
  }
  console.log(`${engine.ruleCount} rules; benign mix: ${source}; attack mix: rule examples\n`);
  table(['mix', 'engine', 'requests', 'median/request', 'mean/request'], rows);
  const ratio = (mix: string) =>
    ((results[`${mix}/peer: no prefilters`] as number) / (results[`${mix}/bansho (prefilters)`] as number)).toFixed(1);
  console.log(
    `\nprefilter speed-up (peer median / bansho median): benign ${ratio('benign')}×, attack ${ratio('attack')}×, benign unseen ${ratio('unseen')}×, log-like ${ratio('log-like')}×`,
  );
  const goal = results['benign/bansho (prefilters)'] as number;
  console.log(`goal ≤ 10 µs median for benign: ${goal <= 10 ? 'met' : 'NOT met'} (${goal.toFixed(2)} µs)`);
}

/** Median of per-request times over ROUNDS passes (after one warm-up pass), and the mean. */
function measure(engine: Engine, mix: readonly Observation[]): { median: number; mean: number } {
  return timeRounds(
    engine,
    mix,
    Array.from({ length: ROUNDS }, () => mix),
  );
}

/** As measure, but every pass (the warm-up too) sees values no earlier pass saw. */
function measureUnseen(engine: Engine, mix: readonly Observation[]): { median: number; mean: number } {
  const passes = Array.from({ length: ROUNDS + 1 }, () => mix.map((o) => unseen(o)));
  return timeRounds(engine, passes[0] as Observation[], passes.slice(1));
}

let unseenCounter = 0;

/** The same request with a path, User-Agent and referer never used before. */
function unseen(o: Observation): Observation {
  if (o.kind !== 'http') return o;
  const n = (unseenCounter++).toString(36);
  const [method, target, version] = o.request.line.split(' ');
  const headers = o.request.headers.map(([name, value]): [string, string] =>
    name === 'user-agent' || name === 'referer' ? [name, `${value} u${n}`] : [name, value],
  );
  return http(buildHttpRequest({ line: `${method} /u${n}${target ?? '/'} ${version ?? 'HTTP/1.1'}`, headers }));
}

/** bench/analyze.ts's benign shapes: most paths and queries distinct, User-Agents and referer repeated. */
function logLikeMix(size: number): Observation[] {
  return Array.from({ length: size }, () => {
    const n = unseenCounter++;
    const path = (BENIGN_PATHS[n % BENIGN_PATHS.length] as (n: number) => string)(n);
    // Fresh strings per request (a copy, not the same object), as a log parser cuts them from each line.
    const headers: Array<[string, string]> = [
      ['referer', ' https://www.example.org/'.slice(1)],
      ['user-agent', ` ${USER_AGENTS[n % USER_AGENTS.length]}`.slice(1)],
    ];
    return http(buildHttpRequest({ line: `GET ${path} HTTP/1.1`, headers }));
  });
}

function timeRounds(
  engine: Engine,
  warmUp: readonly Observation[],
  rounds: ReadonlyArray<readonly Observation[]>,
): { median: number; mean: number } {
  for (const o of warmUp) engine.match(o);
  const times = new Float64Array(rounds.reduce((n, r) => n + r.length, 0));
  let k = 0;
  let total = 0;
  for (const mix of rounds)
    for (const o of mix) {
      const t0 = process.hrtime.bigint();
      engine.match(o);
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      times[k++] = us;
      total += us;
    }
  times.sort();
  return { median: times[Math.floor(times.length / 2)] as number, mean: total / times.length };
}

function benignMix(): { observations: Observation[]; source: string } {
  if (existsSync(LOG)) {
    const observations: Observation[] = [];
    for (const text of readFileSync(LOG, 'latin1').split('\n')) {
      const m = COMBINED.exec(text);
      if (!m) continue;
      const headers: Array<[string, string]> = [['host', 'semicomplete.com']];
      if (m[4] && m[4] !== '-') headers.push(['referer', m[4]]);
      if (m[5] && m[5] !== '-') headers.push(['user-agent', m[5]]);
      observations.push(http(buildHttpRequest({ line: m[2] as string, headers })));
    }
    return { observations, source: `${observations.length} lines of the elastic-examples Apache log` };
  }
  const sample = [
    'GET / HTTP/1.1',
    'GET /images/kibana-search.png HTTP/1.1',
    'GET /blog/tags/ruby?page=2&sort=date HTTP/1.1',
    'POST /comments HTTP/1.1',
    'GET /style2.css HTTP/1.1',
    'GET /search?q=logstash+monitoring HTTP/1.1',
  ].map((line) =>
    http(
      buildHttpRequest({
        line,
        headers: [
          ['host', 'example.com'],
          [
            'user-agent',
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
          ],
          ['referer', 'https://example.com/'],
        ],
      }),
    ),
  );
  return { observations: sample, source: 'built-in sample (corpus not found)' };
}

function http(request: ReturnType<typeof buildHttpRequest>): Observation {
  return {
    kind: 'http',
    transport: 'tcp',
    time: 0,
    sensor: 'logs',
    source: { ip: '198.51.100.1', port: 1 },
    destination: { ip: '127.0.0.1', port: 80 },
    request,
    status: null,
  };
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
