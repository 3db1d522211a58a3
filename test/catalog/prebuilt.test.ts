import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { loadThreatDir } from '../../src/catalog/loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from '../../src/catalog/paths.js';
import { prebuiltCatalog, prebuiltEngine, prebuiltFresh, writePrebuilt } from '../../src/catalog/prebuilt.js';
import { httpObservation } from '../../src/detect/examples.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The copies as `npm run build` writes them, into a directory of the test's own. */
function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-prebuilt-'));
  made.push(dir);
  writePrebuilt(dir, loadRuleDir(BUILTIN_RULES_DIR).rules, loadThreatDir(BUILTIN_THREATS_DIR).all());
  return dir;
}

const lists = { site_names: ['localhost', 'www.example.com'] };
const REQUESTS = [
  'CONNECT maila.microsoft.com:25 / HTTP/1.0',
  'GET http://evil.example/ HTTP/1.1\r\nHost: evil.example',
  'GET /index.php?id=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1\r\nHost: www.example.com',
  'GET /index.html HTTP/1.1\r\nHost: www.example.com',
];

describe("the build's copy of the built-in packs and threats", () => {
  it('judges as the YAML does and names the same threats', () => {
    const dir = built();
    assert.equal(prebuiltFresh(dir), true, 'known fresh without reading the copies');
    const fromCopy = prebuiltEngine(lists, dir);
    assert.ok(fromCopy, 'a fresh copy is used');
    const fromYaml = loadEngine({ lists });
    assert.equal(fromCopy.ruleCount, fromYaml.ruleCount);
    const ids = (m: ReturnType<typeof fromYaml.match>) => m.map((x) => x.ruleId);
    let matched = 0;
    for (const request of REQUESTS) {
      const expected = ids(fromYaml.match(httpObservation(request)));
      assert.deepEqual(ids(fromCopy.match(httpObservation(request))), expected, request);
      matched += expected.length;
    }
    assert.ok(matched >= 2, 'the sample requests exercise rules');
    const catalog = prebuiltCatalog(dir);
    assert.ok(catalog);
    assert.deepEqual(
      catalog.all().map((t) => [t.id, t.name]),
      loadCatalog()
        .all()
        .map((t) => [t.id, t.name]),
    );
  });

  it('is not used once the YAML differs from what it was built from, nor when absent', () => {
    const dir = built();
    for (const kind of ['rules', 'threats']) {
      const file = join(dir, `${kind}.json`);
      const stored = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...stored, digest: 'of other YAML' }));
    }
    assert.equal(prebuiltEngine(lists, dir), null);
    assert.equal(prebuiltCatalog(dir), null);
    const digests = join(dir, 'digests.json');
    writeFileSync(digests, JSON.stringify({ ...JSON.parse(readFileSync(digests, 'utf8')), rules: 'of other YAML' }));
    assert.equal(prebuiltFresh(dir), false, 'stale rules');
    const empty = mkdtempSync(join(tmpdir(), 'bansho-prebuilt-'));
    made.push(empty);
    assert.equal(prebuiltEngine(lists, empty), null);
    assert.equal(prebuiltCatalog(empty), null);
    assert.equal(prebuiltFresh(empty), false);
  });

  it('is never used from sources, whose schemas may have changed since the build', () => {
    assert.equal(prebuiltEngine(lists), null);
    assert.equal(prebuiltCatalog(), null);
    assert.equal(prebuiltFresh(), false);
  });
});
