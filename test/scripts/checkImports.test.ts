import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cycles, importGraph, readLayers } from '../../scripts/checkImports.js';

describe('the import check', () => {
  it('reads the layers block: a folder and what it may import, comments dropped', () => {
    const layers = readLayers('# t\n\n```layers\nobserve:   # bottom\ndetect: observe\ncli: *\n```\n');
    assert.deepEqual([...layers.keys()], ['observe', 'detect', 'cli']);
    assert.deepEqual([...(layers.get('observe') ?? [])], []);
    assert.deepEqual([...(layers.get('detect') ?? [])], ['observe']);
    assert.throws(() => readLayers('no block here'), /no ```layers block/);
  });

  it('finds cycles through type-only and re-exporting imports, and none in a tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bansho-imports-'));
    try {
      const file = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const a = file('a.ts', "import type { B } from './b.js';\nexport const a = 1;\n");
      const b = file('b.ts', "export { c } from './c.js';\nexport type B = number;\n");
      const c = file('c.ts', "import { a } from './a.js';\nexport const c = a;\n");
      const d = file('d.ts', "import { a } from './a.js';\nimport 'node:fs';\n");
      const graph = importGraph([a, b, c, d]);
      assert.deepEqual(graph.get(d), [a]);
      assert.deepEqual(cycles(graph), [[a, b, c].sort()]);
      graph.set(c, []);
      assert.deepEqual(cycles(graph), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
