import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from '../gateway/helpers.js';
import { combinedLine, SEED_TIME } from '../logs/fixtures.js';
import { startBansho } from './run.js';

describe('a reader that stops reading', () => {
  it('ends `bansho analyze --json` like SIGPIPE would: status 141, no stack trace', async () => {
    const tmp = tempDir();
    try {
      const log = `${tmp.dir}/access.log`;
      const lines = Array.from({ length: 5000 }, (_, i) =>
        combinedLine('192.0.2.9', SEED_TIME + i * 1000, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226),
      );
      writeFileSync(log, `${lines.join('\n')}\n`);
      const run = startBansho(['analyze', log, '--json', '--db', `${tmp.dir}/a.db`, '--no-origins']);
      // Like `| head -1`: take the first event line, then close the pipe.
      await new Promise<void>((resolve) => {
        run.child.stdout.on('data', () => {
          if (run.output.stdout.includes('\n')) resolve();
        });
      });
      run.child.stdout.destroy();
      const code = await run.exited;
      assert.equal(code, 141, run.output.stderr);
      assert.doesNotMatch(run.output.stderr, /EPIPE|at .*\(/);
      assert.match(run.output.stdout.split('\n')[0] as string, /"prettypark"/);
    } finally {
      tmp.cleanup();
    }
  });
});
