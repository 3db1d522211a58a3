import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { listeningPort, startBansho } from '../../cli/run.js';
import { rawRequest, upstreamForSuite, waitFor } from '../helpers.js';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

describe('bansho serve --workers 2: one port, one ban list', () => {
  const site = upstreamForSuite('bansho-workers-');

  it('a source banned by the worker it reached is dropped by every worker', async () => {
    const db = `${site.dir}/workers.db`;
    const { child, output, exited } = startBansho([
      'serve',
      '--upstream',
      site.url,
      '--listen',
      '127.0.0.1:0',
      '--db',
      db,
      '--no-dashboard',
      '--workers',
      '2',
    ]);
    try {
      const port = await waitFor(
        'both workers to listen',
        () => (/2 worker processes/.test(output.stderr) ? listeningPort(output.stderr) : undefined),
        30_000,
      );
      // Connections are handed to the workers in turn: both serve.
      for (let i = 0; i < 6; i++) {
        const ok = await rawRequest(port, '127.0.0.60', GET);
        assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
      }
      const refused = await rawRequest(port, '127.0.0.61', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n');
      assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'), refused.response);
      // The ban is durable before the refusal is written.
      const store = new Database(db, { readonly: true });
      const row = store.prepare("SELECT target FROM bans WHERE target = '127.0.0.61/32'").get();
      store.close();
      assert.ok(row, 'the ban is in the store');
      // Every later connection from the source, whichever worker it is handed to, is dropped unanswered.
      for (let i = 0; i < 12; i++) {
        const again = await rawRequest(port, '127.0.0.61', GET);
        assert.equal(again.response, '', `connection ${i + 1} was answered: ${again.response.slice(0, 40)}`);
      }
      // Others are still served by both.
      for (let i = 0; i < 4; i++) {
        const ok = await rawRequest(port, '127.0.0.62', GET);
        assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
    assert.match(output.stderr, /SIGTERM: stopping 2 worker process\(es\)/);
    assert.equal(output.stderr.match(/draining requests in flight/g)?.length, 2, 'each worker drains');
  });

  it('refuses a worker count that is not a whole number from 1 to 256', async () => {
    const { output, exited } = startBansho(['serve', '--upstream', site.url, '--workers', '0']);
    assert.equal(await exited, 1);
    assert.match(output.stderr, /--workers.*a whole number from 1 to 256/);
  });
});
