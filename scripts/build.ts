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
 *
 * bin/bansho.js runs a second build of the CLI, one CommonJS file (dist/cli/main.cjs), with the
 * V8 code cache that training runs of it make here (scripts/trainCodeCache.ts): ES modules take
 * no code cache on Node 20, and parsing and compiling the bundle were a third of a start.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadRuleDir } from '../src/catalog/loadRules.js';
import { loadThreatDir } from '../src/catalog/loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from '../src/catalog/paths.js';
import { PREBUILT_DIR, writePrebuilt } from '../src/catalog/prebuilt.js';
import { builtInDefaults as readBuiltInDefaults } from '../src/config/builtInDefaults.js';
import { trainCodeCache } from './trainCodeCache.js';

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

// The CLI again, as one CommonJS file: bin/bansho.js compiles it through vm.Script with V8's
// code cache (ES modules take none on Node 20). Its import.meta.url is main.js's beside it, so
// every path derived from it (workers, package.json, catalog) is the ES module bundle's.
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outExtension: { '.js': '.cjs' },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Without comments the file is ASCII (esbuild escapes the rest), read at start as latin1.
  minifyWhitespace: true,
  legalComments: 'external',
  external: ['better-sqlite3'],
  define: { 'import.meta': 'bundleImportMeta' },
  banner: {
    js: "'use strict'; const bundleImportMeta = { url: require('node:url').pathToFileURL(require('node:path').join(__dirname, 'main.js')).href, resolve: (s) => require('node:url').pathToFileURL(require.resolve(s)).href };",
  },
  plugins: [builtInDefaults],
  logLevel: 'warning',
});

// The built-in packs and threats validated now, so the bundled CLI starts without YAML or
// schemas (src/catalog/prebuilt.ts); a broken pack fails the build.
writePrebuilt(PREBUILT_DIR, loadRuleDir(BUILTIN_RULES_DIR).rules, loadThreatDir(BUILTIN_THREATS_DIR).all());

// bin/loadCli.js reads the CommonJS bundle as latin1, which is its text only while it is ASCII.
const cjs = join(outdir, 'main.cjs');
if (readFileSync(cjs).some((byte) => byte > 0x7f)) throw new Error(`${cjs} is not ASCII`);
trainCodeCache(root, outdir);
