/**
 * Real third-party access logs through `bansho analyze`'s parser and engine (the LogAnalyzer,
 * exactly as the command runs it):
 * - fail2ban's test logs, where they are access logs: each line carries a `# failJSON:` label
 *   (`match: true` = fail2ban's filter flags it); detection is compared with the labels;
 * - CrowdSec hub test logs: which tests (whose scenario fires, per `scenario.assert`) bansho
 *   detects anything in, split into per-request signature scenarios and behavioural ones (rate,
 *   brute force, DoS — not something one request shows, found, where at all, by the analyzer's
 *   per-source behaviour), with `http-open-proxy` line by line;
 * - elastic-examples' 5,000-line benign Apache log: the false-positive rate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { Engine } from '../../src/detect/types.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { LogAnalyzer } from '../../src/logs/analyzer.js';
import type { CorpusResult } from '../corpus.js';

interface Scan {
  readonly lines: number;
  readonly parsed: number;
  readonly garbage: number;
  /** 1-based line numbers (of the lines fed) that produced an event. */
  readonly detected: ReadonlySet<number>;
  readonly threats: Map<string, number>;
  /** The format detection chose (`auto:combined`, `auto:nginx_error`, …). */
  readonly format: string;
}

function scan(engine: Engine, label: string, lines: readonly string[]): Scan {
  const detected = new Set<number>();
  const threats = new Map<string, number>();
  const analyzer = new LogAnalyzer({
    behaviours: builtInBehaviours(),
    engine,
    onEvent: (encoded) => {
      const event = JSON.parse(encoded.json) as SecurityEvent;
      detected.add(event.bansho.origin?.line ?? 0);
      const id = encoded.threatId ?? '?';
      threats.set(id, (threats.get(id) ?? 0) + 1);
    },
  });
  analyzer.startFile(label);
  analyzer.lines(label, lines);
  analyzer.endFile(label);
  analyzer.takeEvents();
  const s = analyzer.stats;
  const format = s.formats.get(label) ?? 'none';
  return { lines: s.lines - s.blank, parsed: s.parsed, garbage: s.garbage, detected, threats, format };
}

function newTally() {
  return { files: 0, lines: 0, parsed: 0, tp: 0, fn: 0, fp: 0, tn: 0 };
}

function pct(n: number, d: number): string {
  if (d === 0) return 'n/a';
  const v = (100 * n) / d;
  return `${v > 0 && v < 1 ? v.toFixed(2) : v.toFixed(1)}%`;
}

interface Labelled {
  readonly line: string;
  readonly match: boolean;
}

function fail2banLabelled(file: string): Labelled[] {
  const out: Labelled[] = [];
  let pending: boolean | null = null;
  for (const raw of readFileSync(file, 'latin1').split('\n')) {
    if (raw.startsWith('# failJSON:')) {
      try {
        pending = Boolean((JSON.parse(raw.slice('# failJSON:'.length)) as { match?: boolean }).match);
      } catch {
        pending = null;
      }
      continue;
    }
    if (raw.startsWith('#') || raw.trim() === '') continue;
    if (pending !== null) out.push({ line: raw, match: pending });
    pending = null;
  }
  return out;
}

const BEHAVIOURAL =
  /(-bf|bf-|_bf|brute|dos-|req_limit|user-enum|multi-port|switching-ua|random-uri|bypass-cache|wordpress-scan|bad-user-agent|generic-test|postoverflow|crawl)/;

export async function run(corpusDir: string): Promise<CorpusResult> {
  const engine = loadEngine();
  const catalog = loadCatalog();
  const logsDir = join(corpusDir, 'logs');
  const report: string[] = [];
  const failures: string[] = [];

  // fail2ban: access logs, and nginx error logs that name the request (reported apart)
  const tallies = { access: newTally(), error: newTally() };
  const f2bDir = join(logsDir, 'fail2ban');
  for (const name of existsSync(f2bDir) ? readdirSync(f2bDir).sort() : []) {
    const labelled = fail2banLabelled(join(f2bDir, name));
    if (labelled.length === 0) continue;
    const s = scan(
      engine,
      name,
      labelled.map((l) => l.line),
    );
    if (s.parsed < labelled.length / 2) continue; // not about requests (apache error log, syslog, squid …)
    const kind = s.format.endsWith('nginx_error') ? 'error' : 'access';
    const t = tallies[kind];
    t.files++;
    t.lines += labelled.length;
    t.parsed += s.parsed;
    let fileTp = 0;
    let filePos = 0;
    labelled.forEach((l, i) => {
      const hit = s.detected.has(i + 1);
      if (l.match) filePos++;
      if (l.match && hit) fileTp++;
      if (l.match && hit) t.tp++;
      else if (l.match) t.fn++;
      else if (hit) t.fp++;
      else t.tn++;
    });
    report.push(
      `  fail2ban/${name} (${s.format}): ${s.parsed}/${labelled.length} parsed, ${fileTp}/${filePos} labelled attacks detected`,
    );
  }
  const a = tallies.access;
  const e = tallies.error;
  report.unshift(
    `fail2ban access logs: ${a.files} files, parse ${pct(a.parsed, a.lines)}; detection vs failJSON labels: ${a.tp} TP, ${a.fn} FN, ${a.fp} FP, ${a.tn} TN (recall ${pct(a.tp, a.tp + a.fn)}, FP rate ${pct(a.fp, a.fp + a.tn)})`,
    `fail2ban nginx error logs naming requests: ${e.files} files, parse ${pct(e.parsed, e.lines)}; ${e.tp} TP, ${e.fn} FN, ${e.fp} FP, ${e.tn} TN (their labels are mostly auth failures and rate limits, which no single request shows)`,
  );
  if (a.lines > 0 && a.parsed / a.lines < 0.95) failures.push(`fail2ban parse rate ${pct(a.parsed, a.lines)} < 95%`);
  if (a.fp > 0) failures.push(`fail2ban: ${a.fp} lines labelled benign were flagged`);

  // CrowdSec hub tests
  const csDir = join(logsDir, 'crowdsec-hub-tests');
  let csLines = 0;
  let csParsed = 0;
  const groups = {
    signature: { tests: 0, detected: 0 },
    behavioural: { tests: 0, detected: 0 },
    none: { tests: 0, detected: 0 },
  };
  const missed: string[] = [];
  const missedBehaviour: string[] = [];
  let openProxy = 'missing';
  for (const test of existsSync(csDir) ? readdirSync(csDir).sort() : []) {
    const dir = join(csDir, test);
    const logFile = readdirSync(dir).find((f) => f.endsWith('.log'));
    if (!logFile) continue;
    const lines = readFileSync(join(dir, logFile), 'latin1')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const s = scan(engine, test, lines);
    if (s.parsed < lines.length / 2) continue; // syslog / firewall tests
    csLines += lines.length;
    csParsed += s.parsed;
    const assertFile = join(dir, 'scenario.assert');
    const fires = existsSync(assertFile) && readFileSync(assertFile, 'utf8').trim() !== '';
    const group = !fires ? 'none' : BEHAVIOURAL.test(test) ? 'behavioural' : 'signature';
    groups[group].tests++;
    if (s.detected.size > 0) groups[group].detected++;
    else if (group === 'signature') missed.push(test);
    else if (group === 'behavioural') missedBehaviour.push(test);
    if (test === 'nginx-http-open-proxy') {
      const names = [...s.threats.keys()].map((id) => catalog.get(id)?.name ?? id).join(', ');
      openProxy = `${s.detected.size}/${lines.length} lines detected (${names})`;
      if (s.detected.size !== lines.length) failures.push(`http-open-proxy: ${openProxy}`);
    }
  }
  report.push(
    `crowdsec hub access-log tests: parse ${pct(csParsed, csLines)}; signature scenarios detected in ${groups.signature.detected}/${groups.signature.tests} tests, behavioural in ${groups.behavioural.detected}/${groups.behavioural.tests} (per-source behaviour: path and plugin probing, author walks, 401s, login-form posts), tests without an alert with detections: ${groups.none.detected}/${groups.none.tests}`,
    `  http-open-proxy: ${openProxy}`,
    `  signature tests with nothing detected: ${missed.join(', ') || 'none'}`,
    `  behavioural tests with nothing detected: ${missedBehaviour.join(', ') || 'none'}`,
  );
  if (csLines > 0 && csParsed / csLines < 0.95) failures.push(`crowdsec parse rate ${pct(csParsed, csLines)} < 95%`);

  // Elastic benign
  let benignSummary = 'benign log missing';
  const benignFile = join(logsDir, 'elastic-examples', 'apache_logs.first5000.log');
  if (existsSync(benignFile)) {
    const lines = readFileSync(benignFile, 'latin1')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const s = scan(engine, 'benign', lines);
    const top = [...s.threats.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([id, n]) => `${id} ${n}`)
      .join(', ');
    report.push(
      `elastic benign log: ${s.parsed}/${s.lines} parsed (${pct(s.parsed, s.lines)}), ${s.detected.size} lines flagged = FP rate ${pct(s.detected.size, s.parsed)}${top ? ` (${top})` : ''}`,
    );
    benignSummary = `benign parse ${pct(s.parsed, s.lines)}, FP ${pct(s.detected.size, s.parsed)}`;
    if (s.parsed / s.lines < 0.99) failures.push('benign parse rate < 99%');
    if (s.detected.size / Math.max(1, s.parsed) > 0.01)
      failures.push(`benign FP rate ${pct(s.detected.size, s.parsed)} > 1%`);
  }

  for (const line of report) console.log(line);
  const closing = `fail2ban access logs parse ${pct(a.parsed, a.lines)}, recall ${pct(a.tp, a.tp + a.fn)}, FP ${pct(a.fp, a.fp + a.tn)}; crowdsec parse ${pct(csParsed, csLines)}, signature tests ${groups.signature.detected}/${groups.signature.tests}, behavioural ${groups.behavioural.detected}/${groups.behavioural.tests}, open-proxy ${openProxy}; ${benignSummary}`;
  return {
    name: 'logs-labelled',
    ok: failures.length === 0,
    summary: failures.length === 0 ? closing : `${failures.join('; ')} (${closing})`,
  };
}
