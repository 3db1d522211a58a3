import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NamedLists } from '../detect/compile.js';
import type { RuleEngine } from '../detect/engine.js';
import { httpObservation, observationFromExample } from '../detect/examples.js';
import { requiredLiterals } from '../detect/prefilter.js';
import type { Condition, RuleSpec } from '../detect/ruleSchema.js';
import { recordScanners, type Tables, useStoredScanners } from '../detect/storedScanners.js';
import { engineOfValidated, isLoadedRules, type LoadedRule } from './loadedRules.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from './paths.js';
import { isScannerIndex, scannerLookup, writeScannerBytes } from './prebuiltScanners.js';
import { isThreatList, type ThreatCatalog, threatCatalog } from './threatCatalog.js';
import type { Threat } from './threatSchema.js';
import { hashYamlDir } from './yamlDir.js';

/**
 * The built-in packs and threats as `npm run build` validated them, kept beside the bundle as
 * JSON: the bundled CLI reads them with neither the YAML parser nor the schemas loaded (a
 * third of a command's start-up; the snapshot cache, ./snapshotCache.ts, saves that only from
 * the second start). Each copy names the digest of the YAML it came from, and is used only
 * while the YAML is still the same; from sources (tsx) it is never used, since the schema code
 * may have changed since the build.
 */

/** dist/catalog/, beside dist/cli/ (two levels below the package root, as this module is in either). */
export const PREBUILT_DIR = fileURLToPath(new URL('../../dist/catalog/', import.meta.url));

interface Prebuilt<T> {
  readonly digest: string;
  readonly data: T;
}

/** Digests by directory: a command that checks a copy up front and reads it later hashes the YAML once. */
const digests = new Map<string, string | null>();

function digestOf(dir: string): string | null {
  let digest = digests.get(dir);
  if (digest !== undefined) return digest;
  try {
    digest = hashYamlDir(createHash('sha256').update('bansho-prebuilt v1\n'), dir).digest('base64url');
  } catch {
    digest = null;
  }
  digests.set(dir, digest);
  return digest;
}

/** The digests the copies were written with, by kind: to tell whether they are usable without reading them. */
const DIGESTS_FILE = 'digests.json';

const fromBundle = !import.meta.url.endsWith('.ts');

/** The copy `kind` in `prebuiltDir`, when it holds data of `dir`'s YAML as it is now; else null. */
function read<T>(prebuiltDir: string, kind: string, dir: string, isShape: (v: unknown) => v is T): T | null {
  let stored: Prebuilt<unknown>;
  try {
    stored = JSON.parse(readFileSync(join(prebuiltDir, `${kind}.json`), 'utf8'));
  } catch {
    return null;
  }
  if (stored?.digest !== digestOf(dir) || !isShape(stored.data)) return null;
  return stored.data;
}

/**
 * The engine of the built-in packs from the build's copy, or null (none, stale, or running
 * from sources): then load the YAML (./index.ts's loadEngine). `prebuiltDir` is for tests.
 */
export function prebuiltEngine(
  lists: NamedLists,
  prebuiltDir: string | null = fromBundle ? PREBUILT_DIR : null,
): RuleEngine | null {
  if (prebuiltDir === null) return null;
  const rules = read(prebuiltDir, 'rules', BUILTIN_RULES_DIR, isLoadedRules);
  if (rules === null) return null;
  // The literal tables the build computed for these rules (./prebuiltScanners.ts).
  const index = read(prebuiltDir, 'scanners', BUILTIN_RULES_DIR, isScannerIndex);
  useStoredScanners(index && scannerLookup(prebuiltDir, index));
  return engineOfValidated(rules, lists);
}

/** The built-in threat catalog from the build's copy, or null (as prebuiltEngine). */
export function prebuiltCatalog(prebuiltDir: string | null = fromBundle ? PREBUILT_DIR : null): ThreatCatalog | null {
  if (prebuiltDir === null) return null;
  const threats = read(prebuiltDir, 'threats', BUILTIN_THREATS_DIR, isThreatList);
  return threats && threatCatalog(threats);
}

/**
 * Whether the build's copies are there and match the YAML as it is now (as prebuiltEngine and
 * prebuiltCatalog will find when they read them), known without reading them: a command that
 * must choose before it starts whether to import the YAML reader asks this.
 */
export function prebuiltFresh(prebuiltDir: string | null = fromBundle ? PREBUILT_DIR : null): boolean {
  if (prebuiltDir === null) return false;
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(readFileSync(join(prebuiltDir, DIGESTS_FILE), 'utf8'));
  } catch {
    return false;
  }
  return stored.rules === digestOf(BUILTIN_RULES_DIR) && stored.threats === digestOf(BUILTIN_THREATS_DIR);
}

/** Write the copies (scripts/build.ts), from the built-in YAML loaded and checked. Files are named relative to their directory. */
export function writePrebuilt(prebuiltDir: string, rules: readonly LoadedRule[], threats: readonly Threat[]): void {
  mkdirSync(prebuiltDir, { recursive: true });
  const written: Record<string, string> = {};
  const write = (kind: string, dir: string, data: unknown): void => {
    digests.delete(dir);
    const digest = digestOf(dir);
    if (digest === null) throw new Error(`cannot read ${dir}`);
    writeFileSync(join(prebuiltDir, `${kind}.json`), JSON.stringify({ digest, data }));
    written[kind] = digest;
  };
  const copy = rules.map((r) => ({ ...r, spec: withDerivedPrefilters(r.spec), file: basename(r.file) }));
  write('rules', BUILTIN_RULES_DIR, copy);
  write('scanners', BUILTIN_RULES_DIR, writeScannerBytes(prebuiltDir, exampleScanners(copy)));
  write('threats', BUILTIN_THREATS_DIR, threats);
  writeFileSync(join(prebuiltDir, DIGESTS_FILE), JSON.stringify(written));
}

/**
 * The rule with each regex's required literals (what compiling it derives when it names no
 * `prefilter:`, ../detect/compile.ts) written in: the copy's engine compiles to the same
 * prefilter without parsing those patterns at start-up.
 */
function withDerivedPrefilters(spec: RuleSpec): RuleSpec {
  const derive = (c: Condition): Condition => {
    if (c.op === 'any') return { ...c, of: c.of.map(derive) };
    if (c.op !== 'regex' || c.prefilter !== undefined || c.negate) return c;
    const literals = requiredLiterals(c.pattern, c.caseless ?? false);
    return literals === null ? c : { ...c, prefilter: literals };
  };
  return { ...spec, when: spec.when.map(derive) };
}

/** The site names `bansho monitor` judges with when given none. */
const DEFAULT_LISTS: NamedLists = { site_names: ['localhost'] };

/** A browser's plain request, as most of a site's traffic is. */
const PLAIN_REQUEST = [
  'GET /index.html HTTP/1.1',
  'Host: www.example.com',
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language: en-US,en;q=0.5',
  'Accept-Encoding: gzip, deflate, br',
  'Referer: https://www.example.com/',
  'Cookie: session=abc123',
  'Connection: keep-alive',
].join('\r\n');

/**
 * The literal tables the copy's engine computes judging every rule's examples and a browser's
 * plain request: what a fresh process would otherwise compute for its first requests.
 */
function exampleScanners(rules: readonly LoadedRule[]): Map<string, Tables> {
  return recordScanners(() => {
    const engine = engineOfValidated(rules, DEFAULT_LISTS);
    const examples = rules.flatMap((r) => [...r.spec.examples.match, ...r.spec.examples.nearMiss]);
    for (const observation of [httpObservation(PLAIN_REQUEST), ...examples.map(observationFromExample)]) {
      engine.mayMatch(observation);
      engine.match(observation);
    }
  });
}
