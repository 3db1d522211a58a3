import type { NamedLists } from '../detect/compile.js';
import type { RuleEngine } from '../detect/engine.js';
import { loadRuleDir } from './loadRules.js';
import { loadThreatDir, type ThreatCatalog } from './loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from './paths.js';

export { CatalogError } from './catalogError.js';
export { checkThreatsExist, EngineHolder, type EngineHolderOptions, type ReloadResult } from './engineHolder.js';
export type { LoadedRule, LoadedRules } from './loadRules.js';
export type { ThreatCatalog } from './loadThreats.js';
export { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from './paths.js';
export { THREAT_KINDS, type Threat } from './threatSchema.js';

/** The threat catalog: the built-in YAML unless `dir` is given. Throws CatalogError. */
export function loadCatalog(opts: { dir?: string } = {}): ThreatCatalog {
  return loadThreatDir(opts.dir ?? BUILTIN_THREATS_DIR);
}

/**
 * The rule engine: every built-in pack unless `rulesDir` is given. `lists` supplies named
 * lists rules refer to (`site_names`: the site's own host names). Throws CatalogError.
 */
export function loadEngine(opts: { rulesDir?: string; lists?: NamedLists } = {}): RuleEngine {
  return loadRuleDir(opts.rulesDir ?? BUILTIN_RULES_DIR, opts.lists ?? {}).engine;
}
