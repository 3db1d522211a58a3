import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteBanStore } from '../../../src/store/sqlite/sqliteStore.js';
import { listeningPort, startBansho } from '../../cli/run.js';
import { rawRequest, upstreamForSuite, waitFor } from '../helpers.js';
import { floodUntilKilled } from './floodUntilKilled.js';

/**
 * kill -9 in the middle of a flood of ban-worthy requests from many sources: every source that
 * received its refusal — the 400 that announces the ban — must still be banned after a restart,
 * since a ban is durable before its refusal is written.
 */
describe('attack: kill -9 during a flood of ban-worthy requests', () => {
  const site = upstreamForSuite();
  const db = `${site.dir}/flood.db`;

  it('loses no ban whose refusal went out', async () => {
    const gateway = startBansho(site.serveArgs('flood.db'));
    const port = await waitFor('the gateway to listen', () => listeningPort(gateway.output.stderr), 15_000);
    const sources = Array.from({ length: 400 }, (_, i) => `127.0.${11 + (i >> 8)}.${(i & 255) + 1}`);
    const refused = await floodUntilKilled({
      gateway,
      port,
      sources,
      request: 'CONNECT mail.example:25 HTTP/1.1\r\nHost: mail.example:25\r\n\r\n',
      killAfter: 150,
      parallel: 24,
    });
    assert.ok(refused.length >= 150, `${refused.length} refusals before the kill`);

    const store = new SqliteBanStore(db);
    const banned = new Set(store.activeSync(Date.now()).map((b) => b.target));
    await store.close();
    const lost = refused.filter((ip) => !banned.has(`${ip}/32`));
    assert.deepEqual(lost, [], `${lost.length} of ${refused.length} refused sources lost their ban`);

    // And the restarted gateway drops them at accept.
    const again = startBansho(site.serveArgs('flood.db'));
    try {
      const port2 = await waitFor('the restarted gateway', () => listeningPort(again.output.stderr), 15_000);
      for (const ip of refused.slice(0, 20)) {
        const r = await rawRequest(port2, ip, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.equal(r.response, '', `${ip} was served after the restart`);
      }
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
