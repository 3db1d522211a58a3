import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EngineHolder } from '../catalog/engineHolder.js';
import { type LintProblem, lintRules } from '../catalog/lint.js';
import { readConfigFile } from '../config/gatewayConfig.js';
import { resolveCrs } from '../config/index.js';
import { httpObservation } from '../detect/examples.js';
import type { Engine } from '../detect/types.js';
import { decide } from '../detect/verdict.js';

interface TestFlags {
  json?: boolean;
  source: string;
  site: string[];
  rulesDir?: string;
  catalogDir?: string;
  crs?: string;
  paranoia?: string;
  config?: string;
}

/** `bansho rules test RAW_REQUEST_OR_FILE [--json]` and `bansho rules lint`. */
export function register(program: Command): void {
  const rules = program.command('rules').description('test a request against the rule packs, or lint the packs');

  rules
    .command('test')
    .description('run one raw HTTP request (inline, or a file path) through every rule and show what matched')
    .argument(
      '<request>',
      'raw request: request line, headers, blank line, body (\\r\\n and \\n escapes allowed inline)',
    )
    .option('--json', 'print the matches and the verdict as JSON')
    .option('--site <name...>', "the site's own host names (for absolute-form requests)", ['localhost'])
    .option('--source <ip>', 'the client address the request comes from', '203.0.113.7')
    .option('--rules-dir <dir>', 'rule packs to use instead of the built-in ones')
    .option('--catalog-dir <dir>', 'threat catalog to use instead of the built-in one')
    .option(
      '--crs <dir>',
      'run the OWASP Core Rule Set in DIR beside the packs (a CRS release, or /usr/share/modsecurity-crs)',
    )
    .option('--paranoia <n>', 'with --crs: the CRS paranoia level, 1–4 (default 1, or crs.paranoia_level)')
    .option('--config <file>', "the site's config file (serve's): its crs section")
    .action((request: string, flags: TestFlags) => testRequest(request, flags));

  rules
    .command('lint')
    .description("load every pack, check threats exist, run every rule's examples")
    .option('--rules-dir <dir>', 'rule packs to lint instead of the built-in ones')
    .option('--catalog-dir <dir>', 'threat catalog to check against')
    .action((flags: { rulesDir?: string; catalogDir?: string }) => lint(flags));
}

async function testRequest(arg: string, flags: TestFlags): Promise<void> {
  const raw = existsSync(arg) && statSync(arg).isFile() ? readFileSync(arg, 'latin1') : unescapeInline(arg);
  const holder = new EngineHolder({
    ...(flags.rulesDir ? { rulesDir: flags.rulesDir } : {}),
    ...(flags.catalogDir ? { catalogDir: flags.catalogDir } : {}),
    lists: { site_names: flags.site },
  });
  const observation = httpObservation(raw, flags.source);
  const crsSettings = resolveCrs(flags.config ? readConfigFile(flags.config).crs : undefined, flags);
  // src/crs only when asked for: it sets V8's regex flags for the whole process.
  let engine: Engine = holder.engine;
  if (crsSettings !== null) {
    const { CrsDetector, withCrs } = await import('../crs/index.js');
    engine = withCrs(holder.engine, CrsDetector.load(crsSettings));
  }
  const matches = engine.match(observation);
  const verdict = decide(matches);
  const total = matches.reduce((sum, m) => sum + m.score, 0);
  if (flags.json) {
    const request = observation.kind === 'http' ? observation.request : null;
    process.stdout.write(
      `${JSON.stringify({ request: request?.line, malformed: request?.malformed ?? null, verdict: verdict.kind, score: total, matches }, null, 2)}\n`,
    );
    return;
  }
  if (observation.kind === 'http') {
    process.stdout.write(`request: ${JSON.stringify(observation.request.line)}\n`);
    if (observation.request.malformed) process.stdout.write(`malformed: ${observation.request.malformed}\n`);
  }
  if (matches.length === 0) {
    process.stdout.write('no rule matched: allow\n');
    return;
  }
  for (const m of matches) {
    const threat = holder.catalog.get(m.threatId);
    process.stdout.write(
      `\n  ${m.ruleId}  (${m.severity}, score ${m.score}, ${m.action})\n` +
        `    rule:   ${m.ruleName}\n` +
        `    threat: ${m.threatId}${threat ? ` — ${threat.name}` : ''}\n` +
        `    field:  ${m.field || '-'}\n` +
        `    value:  ${JSON.stringify(m.value)}\n`,
    );
  }
  process.stdout.write(`\nverdict: ${verdict.kind} (total score ${total})\n`);
}

/** Inline requests come from a shell: let `\r\n` and `\n` stand for line breaks. */
function unescapeInline(text: string): string {
  return text.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
}

function lint(flags: { rulesDir?: string; catalogDir?: string }): void {
  const report = lintRules(flags);
  for (const p of report.problems) process.stderr.write(`${describeProblem(p)}\n`);
  if (report.problems.some((p) => p.kind === 'load')) {
    process.exitCode = 1;
    return;
  }
  process.stdout.write(
    `${report.packs} packs, ${report.rules} rules, ${report.threats} threats, ${report.examples} examples: ` +
      `${report.problems.length === 0 ? 'all pass' : `${report.problems.length} failing`}\n`,
  );
  if (report.problems.length > 0) process.exitCode = 1;
}

function describeProblem(p: LintProblem): string {
  switch (p.kind) {
    case 'load':
      return `error ${p.error.code}: ${p.error.message}`;
    case 'missed':
      return `${p.rule.file}:${p.rule.line} ${p.rule.spec.id}: example does not match: ${JSON.stringify(p.example)}`;
    case 'prefilter-gap':
      return `${p.rule.file}:${p.rule.line} ${p.rule.spec.id}: its prefilter cannot admit ${p.alternative}`;
    case 'no-prefilter':
      return `${p.rule.file}:${p.rule.line} ${p.rule.spec.id}: no prefilter, its regex runs on every request (add \`prefilter:\` literals)`;
    case 'near-miss-matched':
      return `${p.rule.file}:${p.rule.line} ${p.rule.spec.id}: near-miss matches: ${JSON.stringify(p.example)}`;
  }
}
