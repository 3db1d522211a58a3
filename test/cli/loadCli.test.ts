import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
// @ts-expect-error: the loader is plain JavaScript beside bin/bansho.js, without types.
import { CACHE_FILE, compileCli } from '../../bin/loadCli.js';
import { ROOT } from './run.js';

// These read the build's output (npm install runs the build through `prepare`).
describe('the CLI loaded with the build code cache', () => {
  it('takes the cache the build trained', () => {
    assert.equal(compileCli(readFileSync(CACHE_FILE)).cachedDataRejected, false);
  });

  it('compiles from the text when V8 rejects a cache', () => {
    assert.equal(compileCli(Buffer.from('not a code cache')).cachedDataRejected, true);
  });

  it('runs the same under flags that void the cache', () => {
    const version = (flags: string[]) =>
      spawnSync(process.execPath, [...flags, join(ROOT, 'bin', 'bansho.js'), '--version'], { encoding: 'utf8' });
    const cached = version([]);
    const plain = version(['--max-semi-space-size=8']);
    assert.equal(cached.status, 0);
    assert.equal(plain.stdout, cached.stdout);
    assert.match(cached.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
