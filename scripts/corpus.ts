/**
 * Runs every corpus check in scripts/corpus/ against ../shared/corpus (real third-party data,
 * kept apart from `npm test`). Each check exports `run(corpusDir): Promise<CorpusResult>`,
 * prints its own figures, and fails the run when a figure falls below its floor.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CorpusResult {
  readonly name: string;
  readonly ok: boolean;
  readonly summary: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = resolve(process.env.BANSHO_CORPUS ?? join(here, '..', '..', 'shared', 'corpus'));
if (!existsSync(corpusDir)) {
  console.error(`corpus not found at ${corpusDir} (set BANSHO_CORPUS)`);
  process.exit(2);
}

const checks = readdirSync(join(here, 'corpus'))
  .filter((f) => f.endsWith('.ts'))
  .sort();
let failed = 0;
for (const file of checks) {
  const mod = (await import(pathToFileURL(join(here, 'corpus', file)).href)) as {
    run(dir: string): Promise<CorpusResult>;
  };
  const result = await mod.run(corpusDir);
  console.log(`${result.ok ? 'ok' : 'FAIL'} ${result.name}: ${result.summary}`);
  if (!result.ok) failed++;
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
