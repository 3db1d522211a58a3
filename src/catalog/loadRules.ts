import { type CompiledRule, compileRule, type NamedLists, RuleCompileError } from '../detect/compile.js';
import { RuleEngine } from '../detect/engine.js';
import { markPatternsProven } from '../detect/regex.js';
import { type Condition, type PackSpec, packSchema, type RuleSpec } from '../detect/ruleSchema.js';
import { TargetTable } from '../detect/targets.js';
import { CatalogError } from './catalogError.js';
import { snapshotSlot } from './snapshotCache.js';
import { loadYamlFile, yamlFilesIn } from './yamlFile.js';

/** A rule as loaded, with where it came from (for lint output and error messages). */
export interface LoadedRule {
  readonly spec: RuleSpec;
  readonly pack: string;
  readonly file: string;
  readonly line: number;
}

export interface LoadedRules {
  readonly engine: RuleEngine;
  readonly rules: readonly LoadedRule[];
}

/**
 * Read every pack in `dir`, validate, compile: any problem throws one CatalogError naming file,
 * line and key. Packs that loaded cleanly before are read from their snapshot (snapshotCache.ts).
 */
export function loadRuleDir(dir: string, lists: NamedLists = {}): LoadedRules {
  const slot = snapshotSlot<readonly LoadedRule[]>('rules', dir, isLoadedRules);
  if (slot.value !== null) {
    const rules = slot.value;
    markPatternsProven(rules.flatMap((r) => regexesOf(r.spec.when)));
    const targets = new TargetTable();
    return { engine: new RuleEngine(rules.map((r) => compileRule(r.spec, lists, targets))), rules };
  }
  const result = loadRuleYaml(dir, lists);
  slot.save(result.rules);
  return result;
}

function regexesOf(conditions: readonly Condition[]): Array<{ pattern: string; caseInsensitive: boolean }> {
  return conditions.flatMap((c) => {
    if (c.op === 'any') return regexesOf(c.of);
    return c.op === 'regex' ? [{ pattern: c.pattern, caseInsensitive: c.caseless ?? false }] : [];
  });
}

function isLoadedRules(v: unknown): v is readonly LoadedRule[] {
  return Array.isArray(v) && v.every((r) => typeof r?.spec?.id === 'string' && Array.isArray(r.spec.when));
}

function loadRuleYaml(dir: string, lists: NamedLists): LoadedRules {
  const compiled: CompiledRule[] = [];
  const loaded: LoadedRule[] = [];
  const targets = new TargetTable();
  const seen = new Map<string, string>();
  for (const file of yamlFilesIn(dir)) {
    const located = loadYamlFile<PackSpec>(file, packSchema);
    located.data.rules.forEach((spec, i) => {
      const line = located.lineOf(['rules', i]);
      const previous = seen.get(spec.id);
      if (previous !== undefined)
        throw new CatalogError({
          code: 'E_CATALOG_REF',
          file,
          line: located.lineOf(['rules', i, 'id']),
          key: `rules.${i}.id`,
          message: `duplicate rule id ${spec.id} (first defined in ${previous})`,
        });
      seen.set(spec.id, file);
      try {
        compiled.push(compileRule(spec, lists, targets));
      } catch (err) {
        if (!(err instanceof RuleCompileError)) throw err;
        const path = ['rules', i, ...err.path];
        throw new CatalogError({
          code: 'E_CATALOG_COMPILE',
          file,
          line: located.lineOf(path),
          key: path.join('.'),
          message: err.message,
        });
      }
      loaded.push({ spec, pack: located.data.pack, file, line });
    });
  }
  return { engine: new RuleEngine(compiled), rules: loaded };
}
