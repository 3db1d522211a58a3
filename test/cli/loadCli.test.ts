import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
// @ts-expect-error: the loader is plain JavaScript beside bin/bansho.js, without types.
import { compileCli } from '../../bin/loadCli.js';
import { ROOT } from './run.js';

const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });

// These read the build's output (npm install runs the build through `prepare`).
describe('the CLI loaded with the build code cache', () => {
  it('finds the cache the build trained for a plain start, and V8 takes it', () => {
    // A script file, not `-e`: the command line is part of the cache's key.
    const dir = mkdtempSync(join(tmpdir(), 'bansho-cache-'));
    const check = join(dir, 'check.mjs');
    writeFileSync(
      check,
      [
        "import { readFileSync } from 'node:fs';",
        `import { cacheFile, compileCli } from '${pathToFileURL(join(ROOT, 'bin', 'loadCli.js')).href}';`,
        'console.log(compileCli(readFileSync(cacheFile())).cachedDataRejected);',
      ].join('\n'),
    );
    try {
      const r = node([check]);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout, 'false\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compiles from the text when V8 rejects a cache', () => {
    assert.equal(compileCli(Buffer.from('not a code cache')).cachedDataRejected, true);
  });

  it('runs the same under flags that have no cache', () => {
    const bansho = join(ROOT, 'bin', 'bansho.js');
    const cached = node([bansho, '--version']);
    const plain = node(['--max-semi-space-size=8', bansho, '--version']);
    assert.equal(cached.status, 0);
    assert.match(cached.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.equal(plain.stdout, cached.stdout);
  });
});
