import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PgStore } from '../../../src/store/postgres/pgStore.js';
import { type BanshoProcess, listeningPort, startBansho } from '../../cli/run.js';
import { createTestDatabase, pgSkip, type TestDatabase } from '../../store/pgTestDb.js';
import { TcpCut, throughPort } from '../../store/tcpCut.js';
import { RecordingUpstream, rawRequest, tempDir, waitFor } from '../helpers.js';

/**
 * The database goes away under two running gateways (gateway 2 reaches it through a relay the
 * test cuts): gateway 2 goes on serving and banning on its own, and when the database is back
 * its outage bans and events are in PostgreSQL once and gateway 1 drops the sources too.
 */
describe('attack: PostgreSQL unreachable under a running fleet', { skip: pgSkip }, () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir('bansho-fleet-outage-');
  let db: TestDatabase;
  let store: PgStore;
  let relay: TcpCut;
  let relayPort = 0;
  const running: BanshoProcess[] = [];

  const start = async (n: number, storeUrl: string): Promise<{ process: BanshoProcess; port: number }> => {
    const config = `${tmp.dir}/gw${n}.yaml`;
    writeFileSync(config, `name: gw${n}\n`);
    const p = startBansho([
      'serve',
      '--upstream',
      await upstreamUrl,
      '--listen',
      '127.0.0.1:0',
      '--no-dashboard',
      '--config',
      config,
      '--db',
      `${tmp.dir}/gw${n}.db`,
      '--store',
      storeUrl,
    ]);
    running.push(p);
    const port = await waitFor(`gateway ${n}`, () => listeningPort(p.output.stderr), 15_000);
    await waitFor(
      `gateway ${n} joined`,
      () => (p.output.stderr.includes('fleet: connected') ? true : undefined),
      10_000,
    );
    return { process: p, port };
  };
  let upstreamUrl: Promise<string>;

  before(async () => {
    upstreamUrl = upstream.listen();
    db = await createTestDatabase();
    store = await PgStore.open(db.url);
    relay = new TcpCut(Number(new URL(db.url).port || 5432));
    relayPort = await relay.listen();
  });
  after(async () => {
    for (const p of running) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await relay?.close();
    await upstream.close();
    await store?.close();
    await db?.drop();
    tmp.cleanup();
  });

  it('serves and bans locally through the outage, then ships it once and the fleet learns', async () => {
    const g1 = await start(1, db.url);
    const g2 = await start(2, throughPort(db.url, relayPort));
    relay.cut();
    await waitFor(
      'gateway 2 to notice',
      () => (g2.process.output.stderr.includes('PostgreSQL unreachable') ? true : undefined),
      10_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; gateway 2 said: ${g2.process.output.stderr.slice(-1500)}`);
    });
    // Legitimate traffic is served; an attacker is refused and banned by gateway 2 alone.
    const ok = await rawRequest(g2.port, '127.0.52.1', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(ok.response, /^HTTP\/1\.1 200/);
    const attacker = '127.0.52.9';
    const refused = await rawRequest(g2.port, attacker, 'CONNECT maila.microsoft.com:25 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(refused.response, /^HTTP\/1\.1 400/);
    assert.equal((await rawRequest(g2.port, attacker, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')).response, '');
    assert.match(
      (await rawRequest(g1.port, attacker, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')).response,
      /^HTTP\/1\.1 200/,
    );
    relay.restore();
    await waitFor(
      'gateway 2 caught up',
      () => (g2.process.output.stderr.includes('caught up') ? true : undefined),
      15_000,
    );
    // The fleet's path: PostgreSQL, gateway 1's link, its journal, each worker's ban list. Seconds
    // under a loaded machine (seen past 5 s at load 15), hence the deadline of the other fleet steps.
    await waitFor(
      'gateway 1 to drop the attacker',
      async () =>
        (await rawRequest(g1.port, attacker, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')).response === ''
          ? true
          : undefined,
      15_000,
    );
    const { rows } = await store.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ban_changes WHERE target = '${attacker}/32'`,
    );
    assert.equal(rows[0]?.n, 1, 'the outage ban once');
    const events = await store.queryEvents({ sourceIp: attacker });
    assert.ok(events.some((e) => e.event.action === 'banned' && e.observer?.name === 'gw2'));
    assert.equal(new Set(events.map((e) => e.event.id)).size, events.length, 'no event twice');
  });
});
