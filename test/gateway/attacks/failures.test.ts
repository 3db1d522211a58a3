import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../../../src/config/index.js';
import type { Engine } from '../../../src/detect/types.js';
import { Gateway } from '../../../src/gateway/gateway.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../../../src/store/sqlite/sqliteStore.js';
import { BAD_REQUEST_HEAD, rawRequest, startTestGateway, testConfig, upstreamForSuite } from '../helpers.js';

/** An engine that fails on any request whose line contains `/boom`, and finds nothing otherwise. */
const brittle: Engine = {
  ruleCount: 1,
  match(observation) {
    if (observation.kind === 'http' && observation.request.line.includes('/boom')) throw new Error('rule blew up');
    return [];
  },
};

async function gatewayWith(
  config: GatewayConfig,
  log: string[],
): Promise<{ gateway: Gateway; close(): Promise<void> }> {
  const db = openSqlite(config.db);
  const gateway = await Gateway.start({
    config,
    detection: { engine: brittle },
    stores: { events: new SqliteEventStore(db), bans: new SqliteBanStore(db) },
    log: (line) => log.push(line),
  });
  return {
    gateway,
    async close() {
      await gateway.close();
      db.close();
    },
  };
}

describe('a rule engine that throws', () => {
  const site = upstreamForSuite();

  it('refuses the request by default, counts it and logs it with the request line', async () => {
    const log: string[] = [];
    const g = await gatewayWith(testConfig(site.url, `${site.dir}/block.db`), log);
    try {
      const r = await rawRequest(
        g.gateway.address().port,
        '127.0.9.1',
        'GET /boom?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n',
      );
      assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), r.response.slice(0, 60));
      assert.equal(g.gateway.stats.engineErrors, 1);
      assert.ok(log.some((l) => l.includes('GET /boom?x=1') && l.includes('rule blew up') && l.includes('refused')));
      assert.ok(!site.upstream.requests.some((q) => q.url.startsWith('/boom')));
      await g.gateway.events.flush();
      const events = await new SqliteEventStore(`${site.dir}/block.db`).query({ sourceIp: '127.0.9.1' });
      assert.equal(events[0]?.rule?.id, 'gateway-engine-error');
    } finally {
      await g.close();
    }
  });

  it('with on_engine_error: forward, passes it on, still counted and logged', async () => {
    const log: string[] = [];
    const g = await gatewayWith({ ...testConfig(site.url, `${site.dir}/fwd.db`), onEngineError: 'forward' }, log);
    try {
      const r = await rawRequest(
        g.gateway.address().port,
        '127.0.9.2',
        'GET /boom-forwarded HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.match(r.response, /^HTTP\/1\.1 200 OK/);
      assert.equal(g.gateway.stats.engineErrors, 1);
      assert.ok(log.some((l) => l.includes('/boom-forwarded') && l.includes('forwarded')));
    } finally {
      await g.close();
    }
  });
});

describe('the accept-time drop', () => {
  const site = upstreamForSuite();

  for (const fastPath of [true, false]) {
    it(`drops a banned source ${fastPath ? "on node's listening handle" : 'on the connection event (the fallback, forced)'}`, async () => {
      const config = testConfig(site.url, `${site.dir}/accept-${fastPath}.db`);
      const service = fastPath
        ? await startTestGateway(config)
        : await startTestGateway(config, { acceptFastPath: false });
      try {
        assert.equal(service.gateway.acceptPath, fastPath ? 'handle' : 'connection');
        service.gateway.bans.ban('127.0.9.10', { reason: 'test', threatId: null, origin: 'manual' });
        const before = site.upstream.connections;
        const r = await rawRequest(service.port, '127.0.9.10', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.equal(r.response, '');
        // Reset, not closed: the gateway keeps no TIME_WAIT for a banned source.
        assert.equal(r.ending, 'reset');
        assert.equal(site.upstream.connections, before);
        const open = await rawRequest(
          service.port,
          '127.0.9.11',
          'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
        );
        assert.match(open.response, /^HTTP\/1\.1 200/);
        service.gateway.bans.reportDrops();
        await service.gateway.events.flush();
        const dropped = await new SqliteEventStore(config.db).query({ actions: ['dropped'] });
        assert.ok(
          dropped.some((e) => e.message.includes('127.0.9.10')),
          JSON.stringify(dropped),
        );
      } finally {
        await service.stop();
      }
    });

    it(`${fastPath ? 'on the handle' : 'on the connection event'}: every drop is a reset, counted once, and leaves no descriptor open`, async () => {
      const config = testConfig(site.url, `${site.dir}/accept-count-${fastPath}.db`);
      const service = fastPath
        ? await startTestGateway(config)
        : await startTestGateway(config, { acceptFastPath: false });
      try {
        service.gateway.bans.ban('127.0.9.12', { reason: 'test', threatId: null, origin: 'manual' });
        const sockets = openSockets();
        const knocks = 40;
        const endings = await Promise.all(
          Array.from({ length: knocks }, () =>
            rawRequest(service.port, '127.0.9.12', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'),
          ),
        );
        assert.deepEqual(
          endings.map((e) => e.ending),
          endings.map(() => 'reset'),
        );
        // The reset closes the descriptor at once: none is left for the loop to close later.
        assert.equal(openSockets(), sockets);
        service.gateway.bans.reportDrops();
        await service.gateway.events.flush();
        const dropped = await new SqliteEventStore(config.db).query({ actions: ['dropped'] });
        const counted = dropped
          .filter((e) => e.message.includes('127.0.9.12'))
          .reduce((n, e) => n + Number(/^dropped: (\d+) connection/.exec(e.message)?.[1] ?? 0), 0);
        assert.equal(counted, knocks);
      } finally {
        await service.stop();
      }
    });
  }
});

/** Sockets this process holds open (the gateway under test runs in it). */
function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}
