import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { hashYamlDir } from './yamlDir.js';

/**
 * Validated catalog data, kept as JSON under a key made of the YAML it came from. Parsing and
 * schema-checking ~100 rules of YAML costs a CLI a quarter of a second at every start, while
 * JSON of the same data parses in about a millisecond: `bansho monitor -r` on a small capture,
 * or each `bansho analyze` worker thread, would otherwise spend most of its time there.
 *
 * Only data that loaded and compiled without error is stored, so a snapshot never hides an
 * error the YAML would raise. The key covers every file's name and bytes and the schema
 * modules themselves, so editing a pack or upgrading bansho can never serve stale rules.
 */

/** Where snapshots live: `$BANSHO_CACHE_DIR`, else `$XDG_CACHE_HOME/bansho`, else `~/.cache/bansho`. */
export function snapshotDir(): string {
  const explicit = process.env.BANSHO_CACHE_DIR;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg || join(homedir(), '.cache'), 'bansho');
}

/**
 * The code that shapes validated data (defaults, enums) and decides which regexes compile
 * (re2js: a snapshot lets patterns compile lazily): a change to any of it is a new key. From
 * sources that is the schema modules and re2js; from the bundle, the bundle file itself, which
 * every build rewrites (scripts/build.ts empties dist/ first).
 */
function codeStamp(): string {
  const files = import.meta.url.endsWith('.ts')
    ? [
        ...['./threatSchema.ts', '../detect/ruleSchema.ts', '../detect/transforms/index.ts'].map((m) =>
          fileURLToPath(new URL(m, import.meta.url)),
        ),
        fileURLToPath(import.meta.resolve('re2js')),
      ]
    : [fileURLToPath(import.meta.url)];
  return files
    .map((file) => {
      try {
        const s = statSync(file);
        return `${file}:${s.size}:${s.mtimeMs}`;
      } catch {
        return `${file}:missing`;
      }
    })
    .join(',');
}

export interface SnapshotSlot<T> {
  /** The stored data, or null when there is none for exactly these files. */
  readonly value: T | null;
  /** Store `value` for these files; failures (read-only home, full disk) are ignored. */
  save(value: T): void;
}

/** The snapshot slot of a YAML directory: `kind` names what the data is (`rules`, `threats`). */
export function snapshotSlot<T>(kind: string, dir: string, isShape: (v: unknown) => v is T): SnapshotSlot<T> {
  const hash = createHash('sha256').update(`bansho-catalog-snapshot v1\n${kind}\n${codeStamp()}\n`);
  try {
    hashYamlDir(hash, dir);
  } catch {
    // An unreadable directory: no snapshot; the loader reports the error with its location.
    return { value: null, save: () => {} };
  }
  const file = join(snapshotDir(), `${kind}-${hash.digest('base64url').slice(0, 32)}.json`);
  return {
    value: readSnapshot(file, isShape),
    save: (value) => {
      writeSnapshot(file, value);
      pruneSnapshots(kind, file);
    },
  };
}

export function readSnapshot<T>(file: string, isShape: (v: unknown) => v is T): T | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Absent, or not JSON (a crash mid-write cannot leave one: writes are renamed into place).
    return null;
  }
  return isShape(value) ? value : null;
}

/**
 * Every edit of a pack and every new build of bansho makes a new key, so old snapshots would
 * pile up: at each save, those of the same kind untouched for a week go. One still in use
 * costs one YAML load to come back.
 */
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000;

export function pruneSnapshots(kind: string, keep: string): void {
  const dir = snapshotDir();
  try {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path === keep || !name.startsWith(`${kind}-`) || !name.endsWith('.json')) continue;
      if (Date.now() - statSync(path).mtimeMs > PRUNE_AFTER_MS) rmSync(path, { force: true });
    }
  } catch {
    // Pruning is housekeeping: a listing or removal that fails is tried again at the next save.
  }
}

export function writeSnapshot(file: string, value: unknown): void {
  // Analyzer worker threads share a pid: the thread id keeps their temporary files apart.
  const temporary = `${file}.${process.pid}-${threadId}.tmp`;
  try {
    mkdirSync(snapshotDir(), { recursive: true });
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, file);
  } catch {
    // A cache is an optimisation: without a writable cache directory bansho still loads the YAML.
  }
}
