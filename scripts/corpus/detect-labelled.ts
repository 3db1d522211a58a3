/**
 * Detection on labelled attack logs from other projects:
 * - CrowdSec hub scenario tests (logs/crowdsec-hub-tests/*): each test's scenario.assert names the
 *   sources the scenario must alert on; a source counts as detected when bansho blocks or bans at
 *   least one of its lines. Only tests whose attack class has a bansho rule pack are "claimed".
 * - fail2ban filter tests (logs/fail2ban/*.log) in access-log format, labelled by `# failJSON`:
 *   lines labelled `"match": true` should be flagged, lines labelled false should not.
 * Floors below fail the check if detection regresses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngine } from '../../src/catalog/index.js';
import type { Engine } from '../../src/detect/types.js';
import { decide } from '../../src/detect/verdict.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { Observation } from '../../src/observe/observation.js';

export const FLOORS = { minClaimedSources: 0.9, minFail2banMatches: 0.8 } as const;

/** CrowdSec tests whose attack class bansho has rules for (directory name → what we call it). */
const CLAIMED: Readonly<Record<string, string>> = {
  'CVE-2017-9841': 'phpunit-eval-stdin',
  'CVE-2022-26134': 'confluence-ognl',
  'CVE-2022-42889': 'text4shell',
  'apache-cve-2021-41773': 'apache-path-traversal',
  'cve-2021-42013': 'apache-path-traversal',
  'nginx-cve-2021-41773': 'apache-path-traversal',
  apache_log4j2_cve_2021_44228: 'log4shell',
  'apache_log4j2_cve-2021-44228': 'log4shell',
  'f5-big-ip-cve-2020-5902': 'f5-bigip-tmui-rce',
  'fortinet-cve-2018-13379': 'fortios-ssl-vpn-traversal',
  'spring4shell_cve-2022-22965': 'spring4shell',
  'thinkphp-cve-2018-20062': 'thinkphp-rce',
  netgear_rce: 'netgear-setup-cgi-rce',
  'nginx-http-open-proxy': 'open-proxy-probe',
  'nginx-http-path-traversal': 'path-traversal',
  'nginx-http-sqli-probing': 'sql-injection',
  'nginx-http-xss-probing': 'xss',
  'nginx-http-sensitive-files': 'env-file-exposure / git-exposure',
  'apache2-http-sensitive-files': 'env-file-exposure / git-exposure',
  'nginx-bad-user-agent': 'scanners',
  'nginx-http-w00twoot': 'dfind',
  'nginx-http-backdoor': 'webshell-probe',
  'http-admin-interface-probing': 'phpmyadmin-probe',
};

const FAIL2BAN_CLAIMED = ['nginx-botsearch.log', 'nginx-bad-request.log', 'php-url-fopen.log'];

export async function run(corpusDir: string): Promise<{ name: string; ok: boolean; summary: string }> {
  const engine = loadEngine({ lists: { site_names: ['localhost'] } });
  const hub = join(corpusDir, 'logs', 'crowdsec-hub-tests');
  let claimedExpected = 0;
  let claimedFound = 0;
  const lines: string[] = [];
  for (const dir of readdirSync(hub).sort()) {
    const expected = alertedSources(join(hub, dir, 'scenario.assert'));
    if (expected.size === 0) continue;
    const flagged = flaggedSources(engine, join(hub, dir));
    const found = [...expected].filter((ip) => flagged.has(ip)).length;
    const claim = CLAIMED[dir];
    if (claim !== undefined) {
      claimedExpected += expected.size;
      claimedFound += found;
    }
    lines.push(`crowdsec ${dir}${claim ? ` [${claim}]` : ' (not claimed)'}: ${found}/${expected.size} sources`);
  }

  let f2bMatch = 0;
  let f2bMatchHit = 0;
  let f2bNoMatch = 0;
  let f2bNoMatchHit = 0;
  for (const file of FAIL2BAN_CLAIMED) {
    const path = join(corpusDir, 'logs', 'fail2ban', file);
    if (!existsSync(path)) continue;
    let hit = 0;
    let total = 0;
    for (const { line, match } of failJsonLines(path)) {
      const obs = parseAccessLine(line);
      if (obs === null) continue;
      const flagged = isFlagged(engine, obs);
      if (match) {
        f2bMatch++;
        total++;
        if (flagged) {
          f2bMatchHit++;
          hit++;
        }
      } else {
        f2bNoMatch++;
        if (flagged) f2bNoMatchHit++;
      }
    }
    lines.push(`fail2ban ${file}: ${hit}/${total} labelled lines flagged`);
  }
  for (const l of lines) console.log(`  ${l}`);
  const claimedRate = claimedFound / Math.max(1, claimedExpected);
  const f2bRate = f2bMatchHit / Math.max(1, f2bMatch);
  return {
    name: 'detect-labelled',
    ok: claimedRate >= FLOORS.minClaimedSources && f2bRate >= FLOORS.minFail2banMatches && f2bNoMatchHit === 0,
    summary: `CrowdSec claimed scenarios: ${claimedFound}/${claimedExpected} alerted sources detected (${pct(claimedRate)}); fail2ban: ${f2bMatchHit}/${f2bMatch} labelled attacks flagged, ${f2bNoMatchHit}/${f2bNoMatch} labelled benign flagged`,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function alertedSources(assertFile: string): Set<string> {
  if (!existsSync(assertFile)) return new Set();
  const text = readFileSync(assertFile, 'utf8');
  return new Set(
    [...text.matchAll(/"([^"]+)" in results\[\d+\]\.Overflow\.GetSources\(\)/g)].map((m) => m[1] as string),
  );
}

function flaggedSources(engine: Engine, dir: string): Set<string> {
  const out = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log')))
    for (const text of readFileSync(join(dir, file), 'latin1').split('\n')) {
      const obs = parseAccessLine(text);
      if (obs !== null && isFlagged(engine, obs)) out.add(obs.source.ip);
    }
  return out;
}

function isFlagged(engine: Engine, obs: Observation): boolean {
  const kind = decide(engine.match(obs)).kind;
  return kind === 'block' || kind === 'ban';
}

function* failJsonLines(path: string): Generator<{ line: string; match: boolean }> {
  let label: boolean | null = null;
  for (const text of readFileSync(path, 'latin1').split('\n')) {
    const json = /^# failJSON: (.*)$/.exec(text);
    if (json) {
      label = /"match"\s*:\s*true/.test(json[1] as string);
      continue;
    }
    if (text.startsWith('#') || text.trim() === '') continue;
    if (label !== null) yield { line: text, match: label };
    label = null;
  }
}

/**
 * Combined / nginx access-log line, optionally after a virtual-host field (`%v %h …`), →
 * Observation. A small local parser; src/logs/ has the real one.
 */
const ACCESS =
  /^(?:[^\s[]+ (?=\S+ \S+ \S+ \[))?(\S+) \S+ \S+ \[[^\]]*\] "((?:[^"\\]|\\.)*)" (\d{3}) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

function parseAccessLine(text: string): Observation | null {
  const m = ACCESS.exec(text);
  if (!m) return null;
  const headers: Array<[string, string]> = [['host', 'localhost']];
  if (m[4] && m[4] !== '-') headers.push(['referer', m[4]]);
  if (m[5] && m[5] !== '-') headers.push(['user-agent', m[5]]);
  return {
    kind: 'http',
    transport: 'tcp',
    time: 0,
    sensor: 'logs',
    source: { ip: m[1] as string, port: 0 },
    destination: { ip: '127.0.0.1', port: 80 },
    request: buildHttpRequest({ line: unescapeLogged(m[2] as string), headers }),
    status: Number(m[3]),
  };
}

/** Apache and nginx escape `"` and `\` (and bytes as \xHH) in logged request lines. */
function unescapeLogged(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})|\\(["\\])/g, (_, hex: string | undefined, ch: string | undefined) =>
    hex !== undefined ? String.fromCharCode(Number.parseInt(hex, 16)) : (ch as string),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run(process.argv[2] ?? join(process.cwd(), '..', 'shared', 'corpus'));
  console.log(`${result.ok ? 'ok' : 'FAIL'} ${result.name}: ${result.summary}`);
}
