/**
 * `npm run bench [-- NAME...]`: runs each benchmark in bench/ (every file but this one exports
 * `run()`), one after another so they do not compete for the two cores. Each prints medians of
 * repeated runs and its ratio against a peer measured in the same run.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .filter((name) => wanted.size === 0 || wanted.has(name))
  .sort();

for (const name of benches) {
  console.log(`\n## ${name}\n`);
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run(): Promise<void> };
  await mod.run();
}
