import { fileURLToPath } from 'node:url';

/**
 * The built-in YAML stays in `src/catalog/` (tsc does not copy it). This module runs either
 * from `src/catalog/` (tsx) or from `dist/catalog/` (compiled); both are two levels below the
 * package root, so resolving through the root finds the data from both, as long as `src/` ships.
 */
const packageRoot = new URL('../../', import.meta.url);

export const BUILTIN_RULES_DIR = fileURLToPath(new URL('src/catalog/rules/', packageRoot));
export const BUILTIN_THREATS_DIR = fileURLToPath(new URL('src/catalog/threats/', packageRoot));
/** The built-in settings every config file is read over (a config file itself: see config/builtInDefaults.ts). */
export const BUILTIN_DEFAULTS_FILE = fileURLToPath(new URL('src/catalog/defaults.yaml', packageRoot));
