// The CLI's CommonJS bundle (dist/cli/main.cjs) compiled with the V8 code cache the build made
// beside it, so a start neither parses its 3 MB nor compiles the functions the build's training
// runs called: ES modules take no code cache on Node 20 (scripts/build.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

export const CLI_FILE = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));

/**
 * V8 takes a cache only from its own version and flags, and a rejected one still costs the
 * compile of the whole bundle, where the ES module bundle loads only what the command needs:
 * so the cache is named after what sets them, and a start without its cache takes that bundle.
 */
export function cacheFile() {
  const key = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  return `${CLI_FILE}.${fnv1a(key)}.cache`;
}

/** A 32-bit FNV-1a hash in hex: loading node:crypto would add to every start. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The CLI's exports (`main`). */
export async function loadCli() {
  const file = cacheFile();
  const training = process.env.BANSHO_TRAIN_CODE_CACHE === '1';
  const cachedData = readCache(file);
  if (cachedData === undefined && !training) return import('../dist/cli/main.js');
  const script = compileCli(cachedData);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(CLI_FILE), module, CLI_FILE, dirname(CLI_FILE));
  // The build's training runs (scripts/trainCodeCache.ts): the cache rewritten as the process
  // ends, with every function compiled by then.
  if (training) process.once('exit', () => writeFileSync(file, script.createCachedData()));
  return module.exports;
}

/**
 * The bundle in Node's CommonJS wrapper. A cache V8 still rejects leaves `cachedDataRejected`
 * set and the script compiled from its text. The build checks that the bundle is ASCII, so
 * latin1 reads it exactly, and faster than UTF-8.
 */
export function compileCli(cachedData) {
  const source = readFileSync(CLI_FILE, 'latin1');
  return new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: CLI_FILE,
    cachedData,
  });
}

function readCache(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
