// The CLI's CommonJS bundle (dist/cli/main.cjs) compiled with the V8 code cache the build made
// beside it (main.cjs.cache), so a start neither parses its 3 MB nor compiles the functions the
// build's training runs used: ES modules take no code cache on Node 20 (scripts/build.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const CLI_FILE = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
export const CACHE_FILE = `${CLI_FILE}.cache`;

/** The CLI's exports (`main`), run once per process as a CommonJS module would be. */
export function loadCli() {
  const script = compileCli(readCache());
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(CLI_FILE), module, CLI_FILE, dirname(CLI_FILE));
  // The build's training runs (scripts/trainCodeCache.ts): the cache rewritten as the process
  // ends, with every function compiled by then.
  if (process.env.BANSHO_TRAIN_CODE_CACHE === '1') {
    process.once('exit', () => writeFileSync(CACHE_FILE, script.createCachedData()));
  }
  return module.exports;
}

/**
 * The bundle in Node's CommonJS wrapper. A cache V8 rejects (another node, other V8 flags, a
 * stale file) leaves `cachedDataRejected` set and the script compiled from its text as usual.
 * The build checks that the bundle is ASCII, so latin1 reads it exactly, and faster than UTF-8.
 */
export function compileCli(cachedData) {
  const source = readFileSync(CLI_FILE, 'latin1');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: CLI_FILE,
    cachedData,
  });
}

function readCache() {
  try {
    return readFileSync(CACHE_FILE);
  } catch {
    return undefined;
  }
}
