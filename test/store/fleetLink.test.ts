import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeEvent } from '../../src/store/encodedEvent.js';
import { FleetLink } from '../../src/store/fleet/fleetLink.js';
import { readCursor, writeCursor } from '../../src/store/fleet/journal.js';
import { PgStore } from '../../src/store/postgres/pgStore.js';
import { latestChange } from '../../src/store/sqlite/banChanges.js';
import { putBans } from '../../src/store/sqlite/banWrites.js';
import { insertEvents } from '../../src/store/sqlite/eventWrites.js';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.js';
import { tempDir, waitFor } from '../gateway/helpers.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './pgTestDb.js';
import { storeBan, storeEvent } from './records.js';
import { TcpCut, throughPort } from './tcpCut.js';

/**
 * Two gateways' journals linked to one PostgreSQL database: bans cross over through
 * LISTEN/NOTIFY, events arrive once, and an outage (the link to the database cut by a relay)
 * leaves each journal to carry on and to be shipped — once — when the link is back.
 */
describe('fleet link: journals and one PostgreSQL', { skip: pgSkip }, () => {
  const tmp = tempDir('bansho-fleet-');
  let db: TestDatabase;
  let store: PgStore;
  let cut: TcpCut;
  let a: SqliteStore;
  let b: SqliteStore;
  let linkA: FleetLink;
  let linkB: FleetLink;
  const logB: string[] = [];
  let bNotified = 0;

  before(async () => {
    db = await createTestDatabase();
    store = await PgStore.open(db.url);
    cut = new TcpCut(Number(new URL(db.url).port || 5432));
    const relayPort = await cut.listen();
    a = new SqliteStore(`${tmp.dir}/a.db`);
    b = new SqliteStore(`${tmp.dir}/b.db`);
    linkA = new FleetLink({ url: db.url, journal: a.db, name: 'gw-a', onBans: () => undefined, log: () => undefined });
    linkB = new FleetLink({
      url: throughPort(db.url, relayPort),
      journal: b.db,
      name: 'gw-b',
      onBans: () => bNotified++,
      log: (line) => logB.push(line),
      retryFirstMs: 50,
      retryMaxMs: 200,
      queryTimeoutMs: 2_000,
    });
    linkA.start();
    linkB.start();
    await waitFor('both links up', () => (linkA.state === 'up' && linkB.state === 'up') || undefined, 10_000);
  });
  after(async () => {
    await linkA?.close();
    await linkB?.close();
    await a?.close();
    await b?.close();
    await cut?.close();
    await store?.close();
    await db?.drop();
    tmp.cleanup();
  });

  const journalBan = (s: SqliteStore, target: string) => s.bans.activeOnSync(target, Date.now());

  it('carries a ban made by one gateway to the other, and not back again', async () => {
    putBans(a.db, [storeBan('192.0.2.10/32')]);
    linkA.wake();
    await waitFor('the ban in gateway b', () => journalBan(b, '192.0.2.10/32') ?? undefined, 5_000);
    assert.ok(bNotified > 0, 'b was told to apply it');
    // b's copy is marked as received: it is not shipped back.
    linkB.wake();
    await waitFor('b to pass its own copy', () =>
      readCursor(b.db, 'bans_sent') >= latestChange(b.db) ? true : undefined,
    );
    assert.equal(linkB.stats.bansShipped, 0);
    const { rows } = await store.pool.query<{ n: number; observer: string }>(
      `SELECT count(*)::int AS n, min(observer) AS observer FROM ban_changes WHERE target = '192.0.2.10/32'`,
    );
    assert.equal(rows[0]?.n, 1);
    assert.match(rows[0]?.observer ?? '', /^gw-a#/);
    assert.equal(await store.offences('192.0.2.10/32'), 1);
  });

  it('ships events in batches, each naming its gateway', async () => {
    const events = Array.from({ length: 2500 }, (_, i) =>
      encodeEvent(storeEvent(`a-${i}`, '192.0.2.20', new Date(Date.now() - i).toISOString())),
    );
    insertEvents(a.db, events);
    await waitFor('2500 events in PostgreSQL', async () => ((await store.countEvents({})) >= 2500 ? true : undefined));
    const { rows } = await store.pool.query<{ observer: string; n: number }>(
      'SELECT observer, count(*)::int AS n FROM events GROUP BY observer',
    );
    assert.deepEqual(rows, [{ observer: 'gw-a', n: 2500 }]);
    assert.equal(readCursor(a.db, 'events_sent') > 0, true);
  });

  it('survives an outage: the journal carries on, and is shipped once when the database is back', async () => {
    cut.cut();
    // b's LISTEN connection is reset: the link notices without a query.
    await waitFor('b to see the outage', () => (linkB.state === 'down' ? true : undefined), 5_000);
    // During the outage: b bans and records; a bans too.
    putBans(b.db, [storeBan('198.51.100.30/32')]);
    insertEvents(
      b.db,
      Array.from({ length: 300 }, (_, i) => encodeEvent(storeEvent(`b-${i}`, '198.51.100.30'))),
    );
    putBans(a.db, [storeBan('203.0.113.40/32')]);
    linkA.wake();
    linkB.wake();
    await waitFor('a to ship its ban', async () =>
      (await store.banOn('203.0.113.40/32', Date.now())) ? true : undefined,
    );
    assert.equal(journalBan(b, '203.0.113.40/32'), null, 'b cannot know it yet');
    assert.equal(await store.banOn('198.51.100.30/32', Date.now()), null);
    cut.restore();
    await waitFor('b back and caught up', () => (linkB.stats.catchUps === 1 ? true : undefined), 10_000);
    assert.ok(journalBan(b, '203.0.113.40/32'), 'b read what it missed from its cursor');
    assert.ok(await store.banOn('198.51.100.30/32', Date.now()), "b's outage ban is in the fleet");
    await waitFor('a learns b ban', () => journalBan(a, '198.51.100.30/32') ?? undefined, 5_000);
    assert.equal(await store.countEvents({ sourceIp: '198.51.100.30' }), 300);
    assert.equal(linkB.stats.outages, 1);
    assert.ok(logB.some((l) => l.includes('PostgreSQL unreachable')));
    assert.ok(logB.some((l) => l.includes('caught up')));
  });

  it('replays without duplicates when the cursors were lost (a crash between the write and the cursor)', async () => {
    writeCursor(b.db, 'events_sent', 0);
    writeCursor(b.db, 'bans_sent', 0);
    linkB.wake();
    await waitFor('b to ship its journal again', () => (readCursor(b.db, 'events_sent') > 0 ? true : undefined));
    await waitFor('b to ship its bans again', () => (readCursor(b.db, 'bans_sent') > 0 ? true : undefined));
    assert.equal(await store.countEvents({ sourceIp: '198.51.100.30' }), 300);
    const { rows } = await store.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ban_changes WHERE target = '198.51.100.30/32'`,
    );
    assert.equal(rows[0]?.n, 1);
  });

  it('starts with the database down, and joins when it comes up', async () => {
    const c = new SqliteStore(`${tmp.dir}/c.db`);
    const relay = new TcpCut(cut.targetPort);
    const port = await relay.listen();
    relay.cut();
    const link = new FleetLink({
      url: throughPort(db.url, port),
      journal: c.db,
      name: 'gw-c',
      onBans: () => undefined,
      log: () => undefined,
      retryFirstMs: 50,
      retryMaxMs: 100,
    }).start();
    try {
      await waitFor('c to find the database down', () => (link.state === 'down' ? true : undefined));
      putBans(c.db, [storeBan('192.0.2.50/32')]);
      relay.restore();
      await waitFor(
        'c to join and ship',
        async () => ((await store.banOn('192.0.2.50/32', Date.now())) ? true : undefined),
        10_000,
      );
      // A first join reads the bans in force: a's and b's are here.
      await waitFor("a's ban in c", () => journalBan(c, '192.0.2.10/32') ?? undefined);
      assert.ok(journalBan(c, '198.51.100.30/32'), "b's too, from the same snapshot");
    } finally {
      await link.close();
      await c.close();
      await relay.close();
    }
  });

  it('applies a ban lifted with bansho bans remove (straight in PostgreSQL) on every gateway', async () => {
    assert.ok(journalBan(b, '192.0.2.10/32'));
    assert.equal(await store.removeBan('192.0.2.10/32'), true);
    await waitFor('a to lift it', () => (journalBan(a, '192.0.2.10/32') === null ? true : undefined));
    await waitFor('b to lift it', () => (journalBan(b, '192.0.2.10/32') === null ? true : undefined));
  });
});
