import { type CompiledRule, compileRule, type NamedLists } from '../detect/compile.js';
import { RuleEngine } from '../detect/engine.js';
import type { RuleSpec } from '../detect/ruleSchema.js';
import { TargetTable } from '../detect/targets.js';

/** A rule as loaded, with where it came from (for lint output and error messages). */
export interface LoadedRule {
  readonly spec: RuleSpec;
  readonly pack: string;
  readonly file: string;
  readonly line: number;
}

/**
 * The engine of rules validated and compiled once before (a snapshot, or the build's copy): their
 * patterns are known to compile, so they may compile lazily, at first use.
 */
export function engineOfValidated(rules: readonly LoadedRule[], lists: NamedLists): RuleEngine {
  const targets = new TargetTable();
  return new RuleEngine(rules.map((r): CompiledRule => compileRule(r.spec, lists, targets, true)));
}

export function isLoadedRules(v: unknown): v is readonly LoadedRule[] {
  return Array.isArray(v) && v.every((r) => typeof r?.spec?.id === 'string' && Array.isArray(r.spec.when));
}
