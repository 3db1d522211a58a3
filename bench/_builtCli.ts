import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The CLI as users run it: `bin/bansho.js` over dist/, bundled now (`npm run build`: the CLI
 * and its worker threads) so a run measures the sources as they are. (Through tsx, TypeScript
 * compilation at start-up, in the main thread and again in every worker, would be timed too.)
 */
export function builtCli(): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr.slice(0, 1000)}`);
  return join(root, 'bin', 'bansho.js');
}
