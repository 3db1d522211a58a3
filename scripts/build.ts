/**
 * `npm run build`: the CLI and its analyzer worker as bundled ES modules in dist/cli/.
 *
 * Why a bundle rather than tsc's one-file-per-module output: a command such as
 * `bansho monitor -r` or each `bansho analyze` worker thread otherwise spends a third of a
 * second resolving and loading a few hundred small modules (yaml, zod and undici alone are
 * hundreds of files) before reading a byte. Type checking stays with `npm run typecheck`.
 *
 * dist/cli/ is two levels below the package root, as src/cli/ is, so the paths modules derive
 * from `import.meta.url` (the package.json, the built-in catalog in src/catalog/, the worker
 * beside the code that spawns it) resolve the same from sources and from the bundle.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadRuleDir } from '../src/catalog/loadRules.js';
import { loadThreatDir } from '../src/catalog/loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from '../src/catalog/paths.js';
import { PREBUILT_DIR, writePrebuilt } from '../src/catalog/prebuilt.js';
import { builtInDefaults as readBuiltInDefaults } from '../src/config/builtInDefaults.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');

/**
 * The built-in settings (src/catalog/defaults.yaml) read and checked now, by the config loader
 * as from sources, and put in the bundle as data: the CLI then starts without the YAML parser
 * or the schemas for them (`monitor -r` reads no config file), and a broken file fails the build.
 */
const builtInDefaults: Plugin = {
  name: 'built-in-defaults',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]config[\\/]builtInDefaults\.ts$/ }, () => {
      const read = JSON.stringify(readBuiltInDefaults());
      return {
        loader: 'js',
        contents: [
          `export function builtInDefaults() { return ${read}; }`,
          'export function builtInNetwork() { return builtInDefaults().network; }',
          'export function builtInBehaviours() { return builtInDefaults().behaviours; }',
          '',
        ].join('\n'),
      };
    });
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/cli/main.ts',
    analyzeWorker: 'src/logs/analyzeWorker.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // A native addon cannot be bundled; it is loaded from node_modules as before.
  external: ['better-sqlite3'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's modules.
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  plugins: [builtInDefaults],
  logLevel: 'warning',
});

// The built-in packs and threats validated now, so the bundled CLI starts without YAML or
// schemas (src/catalog/prebuilt.ts); a broken pack fails the build.
writePrebuilt(PREBUILT_DIR, loadRuleDir(BUILTIN_RULES_DIR).rules, loadThreatDir(BUILTIN_THREATS_DIR).all());
