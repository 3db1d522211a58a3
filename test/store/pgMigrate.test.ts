import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { encodeEvent } from '../../src/store/encodedEvent.js';
import { migrationStatus } from '../../src/store/postgres/migrate.js';
import { monthPartition } from '../../src/store/postgres/partitions.js';
import { PgStore } from '../../src/store/postgres/pgStore.js';
import { maintain } from '../../src/store/postgres/prune.js';
import { MIGRATION_LOCK, MIGRATIONS } from '../../src/store/postgres/schema.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './pgTestDb.js';
import { storeEvent } from './records.js';

describe('PostgreSQL migrations', { skip: pgSkip }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  it('three gateways starting at once migrate once, under the advisory lock', async () => {
    const stores = await Promise.all([PgStore.open(db.url), PgStore.open(db.url), PgStore.open(db.url)]);
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const status = await migrationStatus(client);
        assert.equal(status.version, MIGRATIONS.length);
        assert.deepEqual(status.pending, []);
        assert.equal(status.applied.length, MIGRATIONS.length, 'each migration recorded once');
        // This month and the next two, created ahead.
        const now = Date.now();
        assert.deepEqual(
          status.partitions,
          [0, 1, 2].map((i) => monthPartition(now, i).name),
        );
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('puts an event in its month, and one outside every month in the default partition', async () => {
    const store = await PgStore.open(db.url);
    try {
      await store.appendEvents([
        encodeEvent(storeEvent('now', '192.0.2.1', new Date().toISOString())),
        encodeEvent(storeEvent('then', '192.0.2.1', '2003-02-03T10:00:00Z')),
      ]);
      const { rows } = await store.pool.query<{ part: string; id: string }>(
        `SELECT tableoid::regclass::text AS part, doc::json->'event'->>'id' AS id FROM events ORDER BY ts`,
      );
      assert.deepEqual(rows, [
        { part: 'events_default', id: 'then' },
        { part: monthPartition(Date.now(), 0).name, id: 'now' },
      ]);
      // A year later, pruning drops whole months.
      const pruned = await store.prune({
        eventsBefore: monthPartition(Date.now(), 1).from,
        changesBefore: 0,
        batch: 100,
      });
      assert.equal(pruned.events, 1, 'the 2003 event, by row');
      assert.equal(await store.countEvents({}), 0, "this month's partition dropped whole");
    } finally {
      await store.close();
    }
  });

  it('keeps house once at a time: a second gateway skips while the first holds the lock', async () => {
    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    try {
      await a.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      assert.equal(await maintain(b, Date.now(), { eventsBefore: 0, changesBefore: 0 }), false);
      await a.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      assert.equal(await maintain(b, Date.now(), { eventsBefore: 0, changesBefore: 0 }), true);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('names the month partition of a time', () => {
    assert.deepEqual(monthPartition(Date.parse('2026-12-15T00:00:00Z'), 1), {
      name: 'events_y2027m01',
      from: Date.parse('2027-01-01T00:00:00Z'),
      to: Date.parse('2027-02-01T00:00:00Z'),
    });
  });
});
