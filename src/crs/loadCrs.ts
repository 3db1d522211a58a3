import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pruneSnapshots, readSnapshot, snapshotDir, writeSnapshot } from '../catalog/snapshotCache.js';
import { regexKey } from '../detect/regex.js';
import type { CrsEngine } from './engine.js';
import { buildEngine, type CrsOptions, crsSources, parseSources } from './load.js';
import type { Directive } from './parser.js';

export type { CrsOptions } from './load.js';

/**
 * Loads CRS once per set of files: the parsed directives, and the regexes that compiled, are
 * kept as a snapshot (like the catalog's, in the same cache directory) under a key made of
 * every file's bytes, the options and the engine's parser, so a later start skips parsing and
 * compiles each regex only when a request first needs it. Only a set that built without error
 * is stored, so a snapshot never hides an error the files would raise.
 */
export function loadCrs(options: CrsOptions): CrsEngine {
  const sources = crsSources(options);
  const file = join(snapshotDir(), `crs-${snapshotKey(options, sources)}.json`);
  const cached = readSnapshot(file, isSnapshot);
  if (cached !== null) {
    const known = new Set(cached.regexes.map((r) => regexKey(r.pattern, r.caseInsensitive, r.dotAll)));
    return buildEngine(cached.directives, options, known);
  }
  const directives = parseSources(sources);
  const engine = buildEngine(directives, options);
  writeSnapshot(file, { directives, regexes: engine.ruleSet.regexes } satisfies Snapshot);
  pruneSnapshots('crs', file);
  return engine;
}

interface Snapshot {
  readonly directives: Directive[];
  readonly regexes: ReadonlyArray<{ pattern: string; caseInsensitive: boolean; dotAll: boolean }>;
}

function isSnapshot(v: unknown): v is Snapshot {
  const s = v as Snapshot;
  return typeof s === 'object' && s !== null && Array.isArray(s.directives) && Array.isArray(s.regexes);
}

/**
 * The parser and re2js decide what a snapshot holds: a change to either is a new key. From the
 * bundle, the bundle file itself stands for the parser (every build rewrites it).
 */
function codeFiles(): string[] {
  return import.meta.url.endsWith('.ts')
    ? [fileURLToPath(new URL('./parser.ts', import.meta.url)), fileURLToPath(import.meta.resolve('re2js'))]
    : [fileURLToPath(import.meta.url)];
}

function snapshotKey(options: CrsOptions, sources: ReadonlyArray<{ file: string; text: string }>): string {
  const hash = createHash('sha256').update('bansho-crs-snapshot v1\n');
  for (const file of codeFiles()) {
    try {
      const s = statSync(file);
      hash.update(`${file}:${s.size}:${s.mtimeMs}\n`);
    } catch {
      hash.update(`${file}:missing\n`);
    }
  }
  hash.update(JSON.stringify({ ...options, dir: undefined }));
  for (const s of sources) hash.update(`${s.file}\n${s.text.length}\n`).update(s.text, 'latin1');
  // @pmFromFile reads these at build time: they are part of what the rule set is.
  const rulesDir = sources.find((s) => s.file.endsWith('.conf') && !s.file.includes('crs-setup'))?.file;
  if (rulesDir !== undefined) {
    const dir = join(rulesDir, '..');
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.data'))
      .sort())
      hash.update(`${name}\n`).update(readFileSync(join(dir, name)));
  }
  return hash.digest('base64url').slice(0, 32);
}
