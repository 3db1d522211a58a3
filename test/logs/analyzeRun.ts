import { execFileSync } from 'node:child_process';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { AnalyzerOptions } from '../../src/logs/analyzer.js';

/** `bansho analyze ARGS` from the sources; its standard output. */
export function analyzeCli(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'analyze', ...args], {
    encoding: 'utf8',
  });
}

const engine = loadEngine();
const catalog = loadCatalog();

/** The analyzer with the bundled packs, their threat names and the built-in behaviours. */
export const options: AnalyzerOptions = {
  engine,
  threatName: (id) => catalog.get(id)?.name,
  behaviours: builtInBehaviours(),
};
