import type { Hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CatalogError } from './catalogError.js';

/** The YAML files of a catalog directory, in order; apart from ./yamlFile.ts, which loads the YAML parser. */
export function yamlFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new CatalogError({ code: 'E_CATALOG_IO', file: dir, line: 0, key: '', message: (err as Error).message });
  }
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * Feed every YAML file of `dir` into `hash`: what a stored copy of the validated data is keyed
 * by. Name and length before the bytes, so no two different sets of files hash the same stream.
 */
export function hashYamlDir(hash: Hash, dir: string): Hash {
  for (const file of yamlFilesIn(dir)) {
    const bytes = readFileSync(file);
    hash.update(`${basename(file)}\n${bytes.length}\n`);
    hash.update(bytes);
  }
  return hash;
}
