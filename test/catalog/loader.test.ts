import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CatalogError, loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function packDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-rules-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD = `pack: test
rules:
  - id: admin-probe
    name: Admin probe
    threat: webshell-probe
    severity: medium
    score: 5
    action: block
    when:
      - { field: request.path, op: prefix, values: [/admin] }
    examples:
      match: [GET /admin HTTP/1.1]
      nearMiss: [GET /index HTTP/1.1]
`;

function loadError(files: Record<string, string>): CatalogError {
  try {
    loadEngine({ rulesDir: packDir(files) });
  } catch (err) {
    assert.ok(err instanceof CatalogError, String(err));
    return err;
  }
  assert.fail('expected a CatalogError');
}

describe('rule pack loading', () => {
  it('loads a custom pack and matches with it', () => {
    const engine = loadEngine({ rulesDir: packDir({ 'a.yaml': GOOD }) });
    assert.equal(engine.ruleCount, 1);
    assert.equal(engine.match(httpObservation('GET /admin/x HTTP/1.1'))[0]?.ruleId, 'admin-probe');
  });

  it('names file, line and key on a schema error', () => {
    const err = loadError({ 'bad.yaml': GOOD.replace('severity: medium', 'severity: dreadful') });
    assert.equal(err.code, 'E_CATALOG_SCHEMA');
    assert.match(err.file, /bad\.yaml$/);
    assert.equal(err.line, 6);
    assert.equal(err.key, 'rules.0.severity');
  });

  it('names the line of a YAML syntax error', () => {
    const err = loadError({ 'broken.yaml': GOOD.replace('    score: 5', '    score: [5') });
    assert.equal(err.code, 'E_CATALOG_YAML');
    assert.ok(err.line >= 7, `line ${err.line}`);
  });

  it('names the key of an unknown field and of a bad regex', () => {
    const field = loadError({ 'f.yaml': GOOD.replace('field: request.path', 'field: request.pathx') });
    assert.equal(field.key, 'rules.0.when.0.field');
    assert.equal(field.line, 10);
    const regex = loadError({
      'r.yaml': GOOD.replace(
        '{ field: request.path, op: prefix, values: [/admin] }',
        "{ field: request.path, op: regex, pattern: '(a)\\1' }",
      ),
    });
    assert.equal(regex.code, 'E_CATALOG_COMPILE');
    assert.equal(regex.key, 'rules.0.when.0');
    assert.equal(regex.line, 10);
  });

  it('refuses duplicate rule ids across files', () => {
    const err = loadError({ 'a.yaml': GOOD, 'b.yaml': GOOD });
    assert.equal(err.code, 'E_CATALOG_REF');
    assert.match(err.file, /b\.yaml$/);
    assert.match(err.message, /duplicate rule id admin-probe/);
  });

  it('refuses unknown keys (typos do not pass silently)', () => {
    const err = loadError({ 'k.yaml': GOOD.replace('    score: 5', '    scroe: 5\n    score: 5') });
    assert.equal(err.code, 'E_CATALOG_SCHEMA');
    assert.equal(err.key, 'rules.0.scroe');
    assert.equal(err.line, 7);
  });
});

describe('threat catalog loading', () => {
  it('names the threat file, line and key', () => {
    const dir = packDir({
      't.yaml': `threats:
  - id: x-threat
    name: X
    kind: virus
    firstSeen: 2001
    targets: t
    description: a description long enough
    advice: advice that is long enough
    references: [https://example.com/]
`,
    });
    assert.throws(
      () => loadCatalog({ dir }),
      (err: unknown) => err instanceof CatalogError && err.key === 'threats.0.kind' && err.line === 4,
    );
  });
});
