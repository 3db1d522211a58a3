import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { CatalogError, loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import { compileRegex, RegexError } from '../../src/detect/regex.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const PACK = `pack: test
rules:
  - id: admin-probe
    name: Admin probe
    threat: webshell-probe
    severity: medium
    score: 5
    action: block
    when:
      - { field: request.path, op: regex, pattern: '^/admin(?:/|$)' }
    examples:
      match: [GET /admin HTTP/1.1]
      nearMiss: [GET /index HTTP/1.1]
`;

let cache = '';
beforeEach(() => {
  cache = tempDir('bansho-cache-');
  process.env.BANSHO_CACHE_DIR = cache;
});
after(() => {
  delete process.env.BANSHO_CACHE_DIR;
});

function rulesDir(text: string): string {
  const dir = tempDir('bansho-rules-');
  writeFileSync(join(dir, 'a.yaml'), text);
  return dir;
}

function snapshots(): string[] {
  return readdirSync(cache).filter((n) => n.endsWith('.json'));
}

const matchedRule = (dir: string, line: string): string | undefined =>
  loadEngine({ rulesDir: dir }).match(httpObservation(line))[0]?.ruleName;

describe('catalog snapshots', () => {
  it('keeps a pack that loaded cleanly and serves the next load from it', () => {
    const dir = rulesDir(PACK);
    assert.equal(matchedRule(dir, 'GET /admin/x HTTP/1.1'), 'Admin probe');
    const file = snapshots()[0] ?? '';
    assert.ok(file.startsWith('rules-'), `snapshot written: ${snapshots().join(', ')}`);
    // Alter the stored copy: a load that reads it shows the alteration, one that re-reads the YAML would not.
    const path = join(cache, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"Admin probe"', '"From the snapshot"'));
    assert.equal(matchedRule(dir, 'GET /admin/x HTTP/1.1'), 'From the snapshot');
    // The regex came from a snapshot, so it is compiled on first use; it still matches only what it should.
    assert.equal(matchedRule(dir, 'GET /administrator HTTP/1.1'), undefined);
  });

  it('never serves a stale pack once the YAML changes', () => {
    const dir = rulesDir(PACK);
    assert.equal(matchedRule(dir, 'GET /admin HTTP/1.1'), 'Admin probe');
    writeFileSync(join(dir, 'a.yaml'), PACK.replace('name: Admin probe', 'name: Edited probe'));
    assert.equal(matchedRule(dir, 'GET /admin HTTP/1.1'), 'Edited probe');
    assert.equal(snapshots().length, 2);
  });

  it('ignores a damaged snapshot and writes a good one', () => {
    const dir = rulesDir(PACK);
    loadEngine({ rulesDir: dir });
    const path = join(cache, snapshots()[0] as string);
    for (const damage of ['{"truncated', '{"rules": 1}', '[{"spec": null}]']) {
      writeFileSync(path, damage);
      assert.equal(matchedRule(dir, 'GET /admin HTTP/1.1'), 'Admin probe', damage);
      assert.ok(Array.isArray(JSON.parse(readFileSync(path, 'utf8'))), 'rewritten');
    }
  });

  it('stores nothing for a pack with an error, which is reported at every load', () => {
    const dir = rulesDir(PACK.replace("'^/admin(?:/|$)'", "'(a)\\1'"));
    for (let i = 0; i < 2; i++)
      assert.throws(
        () => loadEngine({ rulesDir: dir }),
        (err: unknown) => err instanceof CatalogError && err.code === 'E_CATALOG_COMPILE' && err.line === 10,
      );
    assert.deepEqual(snapshots(), []);
  });

  it('prunes snapshots of the same kind untouched for a week when it saves one', () => {
    const stale = join(cache, 'rules-stale.json');
    const recent = join(cache, 'rules-recent.json');
    const otherKind = join(cache, 'threats-stale.json');
    for (const f of [stale, recent, otherKind]) writeFileSync(f, '[]');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(stale, weekAgo, weekAgo);
    utimesSync(otherKind, weekAgo, weekAgo);
    loadEngine({ rulesDir: rulesDir(PACK) });
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(recent), true);
    assert.equal(existsSync(otherKind), true, 'a rules save leaves threat snapshots alone');
  });

  it('loads without a writable cache directory', () => {
    const blocker = join(tempDir('bansho-cache-'), 'a-file');
    writeFileSync(blocker, '');
    process.env.BANSHO_CACHE_DIR = join(blocker, 'below-a-file');
    assert.equal(matchedRule(rulesDir(PACK), 'GET /admin HTTP/1.1'), 'Admin probe');
  });

  it('snapshots the threat catalog too, with the same threats as the YAML', () => {
    const fromYaml = loadCatalog().all();
    assert.ok(snapshots().some((n) => n.startsWith('threats-')));
    const fromSnapshot = loadCatalog().all();
    assert.deepEqual(fromSnapshot, fromYaml);
    assert.ok(fromSnapshot.some((t) => t.id === 'prettypark'));
  });
});

describe('regexes proven by a snapshot', () => {
  it('are compiled at first use, and only those', () => {
    assert.throws(() => compileRegex('(b)\\1'), RegexError);
    // Compilation is deferred, so a (falsely) proven pattern fails when first tested, not before.
    const deferred = compileRegex('(c)\\1', { compiledBefore: true });
    assert.throws(() => deferred.test('cc'), RegexError);
    // Nothing is remembered in the process: the same pattern without the flag fails at once.
    assert.throws(() => compileRegex('(c)\\1'), RegexError);
  });
});
