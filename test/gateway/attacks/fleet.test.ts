import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PgStore } from '../../../src/store/postgres/pgStore.js';
import { type BanshoProcess, listeningPort, startBansho } from '../../cli/run.js';
import { createTestDatabase, pgSkip, type TestDatabase } from '../../store/pgTestDb.js';
import { RecordingUpstream, rawRequest, tempDir, waitFor } from '../helpers.js';
import { floodUntilKilled } from './floodUntilKilled.js';

/**
 * Three `bansho serve` sharing one PostgreSQL database in front of one site: the 2003 probe
 * against gateway 1 bans its source, and gateways 2 and 3 drop it at accept; a gateway killed
 * with -9 in the middle of a flood loses no ban whose refusal went out.
 */
describe('attack: a fleet of three gateways on one PostgreSQL', { skip: pgSkip }, () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir('bansho-fleet-gw-');
  let db: TestDatabase;
  let store: PgStore;
  let url = '';
  const gateways: Array<{ process: BanshoProcess; port: number }> = [];
  const metricsOf = async (g: { process: BanshoProcess }): Promise<string> => {
    const url = /metrics on (\S+)/.exec(g.process.output.stderr)?.[1];
    assert.ok(url, 'the metrics listener');
    return (await fetch(url)).text();
  };

  const start = async (n: number): Promise<{ process: BanshoProcess; port: number }> => {
    const config = `${tmp.dir}/gw${n}.yaml`;
    writeFileSync(config, `name: gw${n}\n`);
    const p = startBansho([
      'serve',
      // Gateways 1 and 2 as one process each: their fleet counters are asserted, and /metrics
      // are a pool's first worker's (a ban is shipped by the worker that made it, received by
      // whichever worker's link reads it first). Gateway 3 runs a worker per core.
      ...(n < 3 ? ['--workers', '1'] : []),
      '--upstream',
      url,
      '--listen',
      '127.0.0.1:0',
      '--no-dashboard',
      '--metrics',
      '127.0.0.1:0',
      '--config',
      config,
      '--db',
      `${tmp.dir}/gw${n}.db`,
      '--store',
      db.url,
    ]);
    const port = await waitFor(`gateway ${n} to listen`, () => listeningPort(p.output.stderr), 15_000);
    await waitFor(
      `gateway ${n} to join the fleet`,
      () => (p.output.stderr.includes('fleet: connected') ? true : undefined),
      10_000,
    );
    return { process: p, port };
  };

  before(async () => {
    url = await upstream.listen();
    db = await createTestDatabase();
    store = await PgStore.open(db.url);
    for (const n of [1, 2, 3]) gateways.push(await start(n));
  });
  after(async () => {
    for (const g of gateways) {
      g.process.child.kill('SIGTERM');
      await g.process.exited;
    }
    await upstream.close();
    await store?.close();
    await db?.drop();
    tmp.cleanup();
  });

  const dropped = async (port: number, source: string): Promise<boolean> =>
    (await rawRequest(port, source, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 2000)).response === '';

  it('the 2003 probe on gateway 1 bans the source on gateways 2 and 3', async () => {
    const [g1, g2, g3] = gateways as [(typeof gateways)[0], (typeof gateways)[0], (typeof gateways)[0]];
    const source = '127.0.31.7';
    assert.equal(await dropped(g2.port, source), false, 'served before the ban');
    for (const line of ['GET http://irc.stealth.net:5558/ HTTP/1.1', 'CONNECT maila.microsoft.com:25 / HTTP/1.0']) {
      const probe = await rawRequest(g1.port, source, `${line}\r\nHost: irc.stealth.net:5558\r\n\r\n`);
      assert.match(probe.response, /^HTTP\/1\.1 400 Bad Request/, line);
    }
    await waitFor('gateway 2 to drop it', async () => ((await dropped(g2.port, source)) ? true : undefined), 5_000);
    await waitFor('gateway 3 to drop it', async () => ((await dropped(g3.port, source)) ? true : undefined), 5_000);
    // The event is in the fleet's database, naming the gateway that saw it.
    await waitFor('the refusal in PostgreSQL', async () =>
      (await store.queryEvents({ sourceIp: source, actions: ['blocked'] })).length > 0 ? true : undefined,
    );
    const [blocked] = await store.queryEvents({ sourceIp: source, actions: ['blocked'] });
    assert.equal(blocked?.observer?.name, 'gw1');
    const m1 = await metricsOf(g1);
    assert.match(m1, /^bansho_fleet_up 1$/m);
    assert.match(m1, /^bansho_fleet_ban_changes_shipped_total [1-9]/m);
    assert.match(await metricsOf(g2), /^bansho_fleet_bans_received_total [1-9]/m);
    // Gateway 2's drops are reported by gateway 2.
    await waitFor(
      'a drop event from gw2',
      async () => {
        const drops = await store.queryEvents({ sourceIp: source, actions: ['dropped'] });
        return drops.some((e) => e.observer?.name === 'gw2') ? true : undefined;
      },
      15_000,
    );
  });

  it('a gateway killed with -9 mid-flood loses no ban it announced; the others learn them', async () => {
    const victim = gateways[0] as (typeof gateways)[0];
    const sources = Array.from({ length: 200 }, (_, i) => `127.0.${40 + (i >> 8)}.${(i & 255) + 1}`);
    const refused = await floodUntilKilled({
      gateway: victim.process,
      port: victim.port,
      sources,
      request: 'CONNECT maila.microsoft.com:25 HTTP/1.1\r\nHost: maila.microsoft.com:25\r\n\r\n',
      killAfter: 80,
      parallel: 16,
    });
    assert.ok(refused.length >= 80);
    // Restarted on its journal, it ships what it had not.
    gateways[0] = await start(1);
    await waitFor(
      'every announced ban in PostgreSQL',
      async () => {
        const bans = new Set((await store.activeBans(Date.now())).map((b) => b.target));
        return refused.every((ip) => bans.has(`${ip}/32`)) ? true : undefined;
      },
      15_000,
    );
    const g3 = gateways[2] as (typeof gateways)[0];
    for (const ip of refused.slice(0, 20)) assert.equal(await dropped(g3.port, ip), true, `${ip} served by gateway 3`);
  });
});
