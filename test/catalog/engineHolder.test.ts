import assert from 'node:assert/strict';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ReloadResult } from '../../src/catalog/index.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR, CatalogError, EngineHolder } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the built-in packs and catalog that a test may break. */
function scratch(): { rulesDir: string; catalogDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'bansho-holder-'));
  dirs.push(root);
  const rulesDir = join(root, 'rules');
  const catalogDir = join(root, 'threats');
  cpSync(BUILTIN_RULES_DIR, rulesDir, { recursive: true });
  cpSync(BUILTIN_THREATS_DIR, catalogDir, { recursive: true });
  return { rulesDir, catalogDir };
}

const EXTRA = `pack: extra
rules:
  - id: secret-page-probe
    name: Secret page
    threat: webshell-probe
    severity: medium
    score: 5
    action: block
    when:
      - { field: request.path, op: equals, values: [/secret-page] }
    examples:
      match: [GET /secret-page HTTP/1.1]
      nearMiss: [GET /public-page HTTP/1.1]
`;

const secret = httpObservation('GET /secret-page HTTP/1.1');

/** Wait for one event, failing after a bounded deadline instead of hanging. */
async function nextEvent(holder: EngineHolder, name: string, ms = 10_000): Promise<unknown> {
  const [value] = await once(holder, name, { signal: AbortSignal.timeout(ms) });
  return value;
}

describe('EngineHolder', () => {
  it('reload picks up a new pack; a broken file is refused and the old rules stay', () => {
    const dirs = scratch();
    const holder = new EngineHolder({ ...dirs, lists: { site_names: ['localhost'] } });
    const before = holder.engine.ruleCount;
    writeFileSync(join(dirs.rulesDir, 'zz-extra.yaml'), EXTRA);
    assert.deepEqual(holder.reload(), { ok: true, rules: before + 1 });
    assert.equal(holder.engine.match(secret)[0]?.ruleId, 'secret-page-probe');

    const inForce = holder.engine;
    writeFileSync(join(dirs.rulesDir, 'zz-extra.yaml'), EXTRA.replace('severity: medium', 'severity: [oops'));
    const result = holder.reload();
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error instanceof CatalogError);
    assert.ok(!result.ok && result.error.file.endsWith('zz-extra.yaml'));
    assert.equal(holder.engine, inForce);
    assert.equal(holder.engine.match(secret)[0]?.ruleId, 'secret-page-probe');
    holder.close();
  });

  it('refuses a rule naming a threat the catalog does not know', () => {
    const dirs = scratch();
    const holder = new EngineHolder(dirs);
    writeFileSync(
      join(dirs.rulesDir, 'zz-extra.yaml'),
      EXTRA.replace('threat: webshell-probe', 'threat: no-such-threat'),
    );
    const result = holder.reload();
    assert.ok(!result.ok && result.error.code === 'E_CATALOG_REF');
    holder.close();
  });

  it('watch() reloads after a file changes', async () => {
    const dirs = scratch();
    const holder = new EngineHolder({ ...dirs, debounceMs: 50 });
    holder.watch();
    try {
      const reloaded = nextEvent(holder, 'reload');
      writeFileSync(join(dirs.rulesDir, 'zz-extra.yaml'), EXTRA);
      const result = (await reloaded) as ReloadResult;
      assert.equal(result.ok, true);
      assert.equal(holder.engine.match(secret)[0]?.ruleId, 'secret-page-probe');

      const failed = nextEvent(holder, 'error');
      writeFileSync(join(dirs.rulesDir, 'zz-extra.yaml'), 'rules: [');
      assert.ok((await failed) instanceof CatalogError);
      assert.equal(holder.engine.match(secret)[0]?.ruleId, 'secret-page-probe');
    } finally {
      holder.close();
    }
  });

  it('reloads on SIGHUP', async () => {
    const dirs = scratch();
    const holder = new EngineHolder(dirs);
    holder.reloadOnSignal('SIGHUP');
    try {
      writeFileSync(join(dirs.rulesDir, 'zz-extra.yaml'), EXTRA);
      const reloaded = nextEvent(holder, 'reload');
      process.kill(process.pid, 'SIGHUP');
      await reloaded;
      assert.equal(holder.engine.match(secret)[0]?.ruleId, 'secret-page-probe');
    } finally {
      holder.close();
    }
  });
});
