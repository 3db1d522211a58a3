import { EXAMPLE_LISTS, observationFromExample } from '../detect/examples.js';
import { alternativeCandidates } from '../detect/prefilter.js';
import type { Condition, Example } from '../detect/ruleSchema.js';
import { CatalogError } from './catalogError.js';
import { checkThreatsExist } from './engineHolder.js';
import { type LoadedRule, loadRuleDir } from './loadRules.js';
import { loadThreatDir } from './loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from './paths.js';

export type LintProblem =
  | { kind: 'load'; error: CatalogError }
  | { kind: 'no-prefilter'; rule: LoadedRule }
  | { kind: 'prefilter-gap'; rule: LoadedRule; alternative: string }
  | { kind: 'missed'; rule: LoadedRule; example: Example }
  | { kind: 'near-miss-matched'; rule: LoadedRule; example: Example };

export interface LintReport {
  readonly packs: number;
  readonly rules: number;
  readonly threats: number;
  readonly examples: number;
  readonly problems: readonly LintProblem[];
}

/**
 * Load every pack and the catalog, check that each rule's threat exists, and run every rule's
 * examples: each `match` must trigger the rule, each `nearMiss` must not.
 */
export function lintRules(opts: { rulesDir?: string; catalogDir?: string } = {}): LintReport {
  let loaded: ReturnType<typeof loadRuleDir>;
  let threats = 0;
  try {
    const catalog = loadThreatDir(opts.catalogDir ?? BUILTIN_THREATS_DIR);
    threats = catalog.all().length;
    loaded = loadRuleDir(opts.rulesDir ?? BUILTIN_RULES_DIR, EXAMPLE_LISTS);
    checkThreatsExist(loaded.rules, catalog);
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    return { packs: 0, rules: 0, threats, examples: 0, problems: [{ kind: 'load', error: err }] };
  }
  const problems: LintProblem[] = [];
  // A rule with a regex but no prefilter runs that regex on every request: say so.
  loaded.engine.rules.forEach((compiled, i) => {
    const rule = loaded.rules[i] as LoadedRule;
    if (compiled.prefilter === null && JSON.stringify(rule.spec.when).includes('"op":"regex"'))
      problems.push({ kind: 'no-prefilter', rule });
  });
  for (const rule of loaded.rules)
    for (const alternative of prefilterGaps(rule.spec.when))
      problems.push({ kind: 'prefilter-gap', rule, alternative });
  let examples = 0;
  for (const rule of loaded.rules) {
    const hits = (example: Example) =>
      loaded.engine.match(observationFromExample(example)).some((m) => m.ruleId === rule.spec.id);
    for (const example of rule.spec.examples.match) {
      examples++;
      if (!hits(example)) problems.push({ kind: 'missed', rule, example });
    }
    for (const example of rule.spec.examples.nearMiss) {
      examples++;
      if (hits(example)) problems.push({ kind: 'near-miss-matched', rule, example });
    }
  }
  const packs = new Set(loaded.rules.map((r) => r.file)).size;
  return { packs, rules: loaded.rules.length, threats, examples, problems };
}

/**
 * Top-level regex alternatives that a hand-written `prefilter:` cannot admit: every literal the
 * alternative requires lacks all of the prefilter's literals. Such a rule would silently miss.
 */
export function prefilterGaps(conditions: readonly Condition[]): string[] {
  const gaps: string[] = [];
  for (const c of conditions) {
    if (c.op === 'any') gaps.push(...prefilterGaps(c.of));
    if (c.op !== 'regex' || c.prefilter === undefined) continue;
    const literals = c.prefilter.map((l) => l.toLowerCase());
    const branches = c.pattern.replace(/^\(\?[a-zA-Z]+\)/, '');
    alternativeCandidates(c.pattern).forEach((candidates, i) => {
      // Admitted when some set the alternative requires has a prefilter literal in each member.
      const admitted = candidates.some((set) => set.every((r) => literals.some((l) => r.toLowerCase().includes(l))));
      if (!admitted)
        gaps.push(`${branches.length > 60 ? `${branches.slice(0, 60)}…` : branches} (alternative ${i + 1})`);
    });
  }
  return gaps;
}
