import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrsEngine } from './engine.js';
import { CrsError } from './errors.js';
import { type Directive, parseConfig } from './parser.js';
import { RuleSetBuilder } from './ruleSet.js';

/** How bansho runs CRS: where it is, how paranoid, what to exclude. */
export interface CrsOptions {
  /** A CRS release directory (with rules/ and crs-setup.conf or .example) or Debian's /usr/share/modsecurity-crs. */
  readonly dir: string;
  /** tx.blocking_paranoia_level, 1–4 (default 1). */
  readonly paranoiaLevel?: number;
  /** tx.detection_paranoia_level: rules up to this level run and log without blocking (default: paranoiaLevel). */
  readonly detectionParanoiaLevel?: number;
  readonly inboundThreshold?: number;
  readonly outboundThreshold?: number;
  /** Status of a refusal when the blocking rule names none (default 403). */
  readonly blockStatus?: number;
  /** crs-setup.conf to use instead of the one found in `dir` (Debian keeps it in /etc/modsecurity/crs/). */
  readonly setupFile?: string;
  /**
   * Exclusions in SecLang, as CRS documents them: runtime ones (SecRule/SecAction with
   * ctl:ruleRemove…) run before the rules, as in REQUEST-900; configure-time ones
   * (SecRuleRemoveById, SecRuleUpdateTargetById …) apply after them, as in RESPONSE-999.
   */
  readonly exclusions?: readonly string[];
  /** More SecLang read right after crs-setup (the test runner's engine settings, for one). */
  readonly extraSetup?: string;
}

export interface CrsSource {
  readonly file: string;
  readonly text: string;
}

/** Every text the rule set is built from, in load order (the snapshot cache hashes exactly these). */
export function crsSources(options: CrsOptions): CrsSource[] {
  const rulesDir = existsSync(join(options.dir, 'rules')) ? join(options.dir, 'rules') : options.dir;
  const setup = options.setupFile ?? findSetup(options.dir);
  const pl = options.paranoiaLevel ?? 1;
  const detection = options.detectionParanoiaLevel ?? pl;
  if (![pl, detection].every((n) => Number.isInteger(n) && n >= 1 && n <= 4) || detection < pl)
    throw new CrsError(
      'E_CRS_COMPILE',
      { file: options.dir, line: 0 },
      'paranoia levels are 1–4, detection ≥ blocking',
    );
  const settings = [
    `tx.blocking_paranoia_level=${pl}`,
    `tx.detection_paranoia_level=${detection}`,
    ...(options.inboundThreshold === undefined
      ? []
      : [`tx.inbound_anomaly_score_threshold=${options.inboundThreshold}`]),
    ...(options.outboundThreshold === undefined
      ? []
      : [`tx.outbound_anomaly_score_threshold=${options.outboundThreshold}`]),
  ];
  const runtime: string[] = [];
  const configure: string[] = [];
  for (const text of options.exclusions ?? []) (/^\s*Sec(Rule|Action)\s/i.test(text) ? runtime : configure).push(text);
  const sources: CrsSource[] = [];
  if (setup !== undefined) sources.push({ file: setup, text: read(setup) });
  sources.push({
    file: '<bansho settings>',
    text: `SecAction "id:900000,phase:1,pass,nolog,${settings.map((s) => `setvar:${s}`).join(',')}"\n`,
  });
  if (options.extraSetup !== undefined) sources.push({ file: '<extra setup>', text: options.extraSetup });
  for (const [i, text] of runtime.entries()) sources.push({ file: `<exclusion ${i + 1}>`, text });
  for (const name of ruleFiles(rulesDir))
    sources.push({ file: join(rulesDir, name), text: read(join(rulesDir, name)) });
  for (const [i, text] of configure.entries()) sources.push({ file: `<exclusion ${runtime.length + i + 1}>`, text });
  return sources;
}

function findSetup(dir: string): string | undefined {
  for (const name of ['crs-setup.conf', 'crs-setup.conf.example'])
    if (existsSync(join(dir, name))) return join(dir, name);
  return setupNamedByLoadFile(dir);
}

/**
 * Debian's modsecurity-crs keeps crs-setup.conf in /etc/modsecurity/crs/ and names it in
 * /usr/share/modsecurity-crs/owasp-crs.load, the file Apache includes.
 */
function setupNamedByLoadFile(dir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'owasp-crs.load'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const m = /^\s*Include(?:Optional)?\s+(\S*crs-setup\.conf)\s*$/.exec(line);
    if (m?.[1] !== undefined && existsSync(m[1])) return m[1];
  }
  return undefined;
}

function ruleFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.conf'))
      .sort();
  } catch (err) {
    throw new CrsError('E_CRS_IO', { file: dir, line: 0 }, `cannot list rules: ${(err as Error).message}`);
  }
}

function read(file: string): string {
  try {
    // latin1: rules and data are byte strings, like every value they are matched against.
    return readFileSync(file, 'latin1');
  } catch (err) {
    throw new CrsError('E_CRS_IO', { file, line: 0 }, (err as Error).message);
  }
}

export function parseSources(sources: readonly CrsSource[]): Directive[] {
  return sources.flatMap((s) => parseConfig(s.text, s.file));
}

/** `known`: the patterns a snapshot of these directives saw compile (`regexKey`), compiled at their first test. */
export function buildEngine(
  directives: readonly Directive[],
  options: CrsOptions,
  known: ReadonlySet<string> = new Set(),
): CrsEngine {
  const builder = new RuleSetBuilder(known);
  for (const d of directives) builder.add(d);
  return new CrsEngine(builder.build(options.dir), { blockStatus: options.blockStatus ?? 403 });
}
