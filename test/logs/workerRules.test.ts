import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { loadThreatDir } from '../../src/catalog/loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from '../../src/catalog/paths.js';
import { writePrebuilt } from '../../src/catalog/prebuilt.js';
import { storedScanner, useStoredScanners } from '../../src/detect/storedScanners.js';
import { loadWorkerRules } from '../../src/logs/workerRules.js';

const dirs: string[] = [];
after(() => {
  useStoredScanners(null);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The copies as `npm run build` writes them, in a directory of the test's own. */
function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-worker-rules-'));
  dirs.push(dir);
  writePrebuilt(dir, loadRuleDir(BUILTIN_RULES_DIR).rules, loadThreatDir(BUILTIN_THREATS_DIR).all());
  return dir;
}

/** A key the copy holds a literal table for. */
function storedKey(dir: string): string {
  const index = JSON.parse(readFileSync(join(dir, 'scanners.json'), 'utf8')) as { data: { tables: [string][] } };
  const first = index.data.tables[0];
  assert.ok(first, 'the build stores literal tables');
  return first[0];
}

const setup = { lists: { site_names: ['www.example.com'] }, trustedProxies: [], crs: null };

describe("an analyze worker's rules", () => {
  it("come from the build's copy when it is fresh, its literal tables with them", async () => {
    useStoredScanners(null);
    const dir = built();
    const key = storedKey(dir);
    const { engine, catalog } = await loadWorkerRules(setup, dir);
    // Without the copy's tables a worker computes every table it needs itself, at its start.
    assert.notEqual(storedScanner(key), undefined, "the build's tables are served");
    assert.equal(engine.ruleCount, loadEngine({ lists: setup.lists }).ruleCount);
    assert.equal(catalog.get('prettypark')?.name, 'PrettyPark');
  });

  it('come from the YAML without a copy', async () => {
    useStoredScanners(null);
    const { engine, catalog } = await loadWorkerRules(setup, null);
    assert.equal(engine.ruleCount, loadEngine({ lists: setup.lists }).ruleCount);
    assert.equal(catalog.get('prettypark')?.name, 'PrettyPark');
  });
});
