import { type CompiledRule, compileRule, type NamedLists, RuleCompileError } from '../detect/compile.js';
import { RuleEngine } from '../detect/engine.js';
import { type PackSpec, packSchema } from '../detect/ruleSchema.js';
import { TargetTable } from '../detect/targets.js';
import { CatalogError } from './catalogError.js';
import { engineOfValidated, isLoadedRules, type LoadedRule } from './loadedRules.js';
import { snapshotSlot } from './snapshotCache.js';
import { loadYamlFile, yamlFilesIn } from './yamlFile.js';

export type { LoadedRule } from './loadedRules.js';

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
    return { engine: engineOfValidated(slot.value, lists), rules: slot.value };
  }
  const result = loadRuleYaml(dir, lists);
  slot.save(result.rules);
  return result;
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
