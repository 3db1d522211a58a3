import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { DocEvent, type EncodedEvent, encodeEvent, eventKey } from '../../src/store/encodedEvent.js';
import { openSqlite, SqliteEventStore } from '../../src/store/index.js';
import { openStore } from '../../src/store/openStore.js';
import { PgStore } from '../../src/store/postgres/pgStore.js';
import { MIGRATIONS as PG_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/store/sqlite/schema.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, pgSkip } from './pgTestDb.js';
import { storeEvent } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'bansho-keyed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Events of every shape a producer makes, with what an encoder is likeliest to get wrong:
 * nested evidence the store must treat as opaque (a monitor's flow, a match list), text
 * outside ASCII and JSON's escapes, numbers of every size, empty and absent members.
 */
function shapes(): SecurityEvent[] {
  const a = storeEvent('g-7f3c2a9e-1b4d-4c5e-9f00-0123456789ab', '2001:db8::1', '2026-03-10T12:00:00.001Z');
  a.threat = { software: { id: 'prettypark', name: 'PrettyPark "worm" \\ 日本語' } };
  a.rule = { id: 'proxy-connect-smtp', name: 'CONNECT\tto\na mail port', ruleset: 'bansho', category: 'proxy' };
  a.bansho = {
    ...a.bansho,
    evidence: 'CONNECT maila.microsoft.com:25 / HTTP/1.0\u0000\u001f\u2028é',
    score: 1e21,
    matches: [{ rule: 'r', threat: 't', score: -0.5, field: 'request.line|lowercase', value: '' }],
    flow: { 'conn.state': 'SF', 'orig.bytes': 2 ** 53 - 1, history: 'ShADadFf', nested: '{"not":"parsed"}' },
  } as SecurityEvent['bansho'];
  const b = storeEvent('ldDp_q4I0dusZjKIOTgPVN', '203.0.113.9', '2003-01-01T00:00:00.000Z');
  b.event.action = 'detected';
  b.message = '';
  const c = storeEvent('f'.repeat(200), '198.51.100.1', '2026-03-10T12:00:00.001Z');
  c.event.action = 'flow';
  (c as unknown as Record<string, unknown>).extra = { list: [1, [2, [3, { deep: null }]]], big: 'x'.repeat(20_000) };
  return [a, b, c];
}

/** Each event read back must be the event given, to the byte of its JSON (member order included). */
function assertSame(got: readonly SecurityEvent[], want: readonly SecurityEvent[]): void {
  assert.deepEqual(got, want);
  assert.deepEqual(
    got.map((e) => JSON.stringify(e)),
    want.map((e) => JSON.stringify(e)),
  );
}

async function assertRoundTrip(store: Store): Promise<void> {
  const events = shapes();
  assert.equal(await store.appendEvents(events.map(encodeEvent)), 3);
  const byTime = [...events].sort((x, y) => Date.parse(x['@timestamp']) - Date.parse(y['@timestamp']));
  assertSame(await store.queryEvents({}), byTime);
  assertSame(
    (await store.eventsAfter(0, 10)).map((s) => s.event),
    events,
  );
  assertSame(
    (await store.eventPage({ limit: 10, sourceIp: '2001:db8::1' })).map((s) => s.event),
    [events[0] as SecurityEvent],
  );
  // The same events again, under the same ids and times: nothing new.
  assert.equal(await store.appendEvents(shapes().map(encodeEvent)), 0);
  // The same id at another time is another event; another id at the same time too.
  const moved = storeEvent('ldDp_q4I0dusZjKIOTgPVN', '203.0.113.9', '2003-01-01T00:00:00.002Z');
  const other = storeEvent('ldDp_q4I0dusZjKIOTgPVM', '203.0.113.9', '2003-01-01T00:00:00.000Z');
  assert.equal(await store.appendEvents([encodeEvent(moved), encodeEvent(other)]), 2);
}

describe('events stored by key', () => {
  it('keys an id by 52 bits of its MD5 (as PostgreSQL computes it)', () => {
    assert.equal(eventKey('ldDp_q4I0dusZjKIOTgPVN'), 3035503781086072);
    assert.equal(eventKey('日本'), 1367711638975575);
    assert.ok(Number.isSafeInteger(eventKey('')) && eventKey('') < 2 ** 52);
    assert.notEqual(eventKey('a'), eventKey('b'));
  });

  it('sqlite: reads every shape of event back as given, and appends each (time, id) once', async () => {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'roundtrip.db') });
    try {
      await assertRoundTrip(store);
    } finally {
      await store.close();
    }
  });

  it('sqlite: an event handed over as its JSON bytes (DocEvent) is stored as the row its text makes, and is the same event', () => {
    // Enough events for both statements (16 rows and one), every shape among them.
    const events: SecurityEvent[] = [];
    for (let i = 0; i < 37; i++)
      for (const [k, e] of shapes().entries()) {
        e.event.id = `${e.event.id}-${i}-${k}`;
        events.push(e);
      }
    const asText = events.map(encodeEvent);
    const asBytes = asText.map(
      (e): EncodedEvent => new DocEvent(e.key, e, new Uint8Array(Buffer.from(e.json, 'utf8'))),
    );
    assert.equal(asBytes[0]?.json, asText[0]?.json, 'the text decoded from the bytes');
    const rows = (encoded: readonly EncodedEvent[], name: string) => {
      const db = openSqlite(join(dir, name));
      try {
        assert.equal(new SqliteEventStore(db).appendEncodedSync(encoded), events.length);
        // Stored before: the other form of the same events adds nothing.
        assert.equal(new SqliteEventStore(db).appendEncodedSync(encoded === asText ? asBytes : asText), 0);
        return db
          .prepare('SELECT seq, ts, key, action, source_ip, threat_id, rule_id, typeof(doc) AS type, doc FROM events')
          .all();
      } finally {
        db.close();
      }
    };
    const fromBytes = rows(asBytes, 'bytes.db');
    assert.deepEqual(fromBytes, rows(asText, 'text.db'));
    assert.ok(fromBytes.every((r) => (r as { type: string }).type === 'text'));
  });

  it('sqlite: a database of the id-keyed schema opens migrated, its events and seqs as they were', async () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    for (const ddl of SQLITE_MIGRATIONS.slice(0, 2)) old.exec(ddl);
    old.pragma('user_version = 2');
    const events = shapes();
    const insert = old.prepare(
      'INSERT INTO events (seq, id, ts, action, source_ip, threat_id, rule_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const [i, e] of events.entries()) {
      const x = encodeEvent(e);
      insert.run(10 + i * 5, e.event.id, x.ts, x.action, x.sourceIp, x.threatId, x.ruleId, x.json);
    }
    old.close();

    const store = await openStore({ kind: 'sqlite', file });
    try {
      assert.deepEqual(
        (await store.eventsAfter(0, 10)).map((s) => [s.seq, s.event.event.id]),
        events.map((e, i) => [10 + i * 5, e.event.id]),
      );
      assertSame(
        (await store.eventsAfter(0, 10)).map((s) => s.event),
        events,
      );
      assert.equal(await store.appendEvents(events.map(encodeEvent)), 0, 'the old rows are recognised by key');
      assert.equal(await store.lastEventSeq(), 20);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      const columns = (db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
      assert.ok(!columns.includes('id') && columns.includes('key'), columns.join());
      const indexes = (
        db
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name`)
          .all() as Array<{
          name: string;
        }>
      ).map((r) => r.name);
      assert.deepEqual(indexes, ['events_source', 'events_threat', 'events_ts_key']);
      assert.equal(db.pragma('user_version', { simple: true }), SQLITE_MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('postgres: reads every shape of event back as given, and appends each (time, id) once', {
    skip: pgSkip,
  }, async () => {
    const db = await createTestDatabase();
    const store = await openStore({ kind: 'postgres', url: db.url });
    try {
      await assertRoundTrip(store);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('postgres: a database of the id-keyed schema opens migrated, with the keys the code computes', {
    skip: pgSkip,
  }, async () => {
    const db = await createTestDatabase();
    const events = shapes();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        'CREATE TABLE bansho_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const m of PG_MIGRATIONS.slice(0, 2)) {
        await client.query(m.sql);
        await client.query('INSERT INTO bansho_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
      for (const e of events) {
        const x = encodeEvent(e);
        await client.query(
          'INSERT INTO events (id, ts, action, source_ip, threat_id, rule_id, observer, doc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [e.event.id, x.ts, x.action, x.sourceIp, x.threatId, x.ruleId, 'gw-old', x.json],
        );
      }
    } finally {
      await client.end();
    }
    const store = await PgStore.open(db.url);
    try {
      assertSame(
        (await store.eventsAfter(0, 10)).map((s) => s.event),
        events,
      );
      assert.equal(await store.appendEvents(events.map(encodeEvent)), 0, 'the old rows are recognised by key');
      const { rows } = await store.pool.query<{ key: string; doc: string }>('SELECT key, doc FROM events ORDER BY seq');
      assert.deepEqual(
        rows.map((r) => Number(r.key)),
        events.map((e) => eventKey(e.event.id)),
      );
      const { rows: columns } = await store.pool.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'events' AND column_name IN ('id', 'key')`,
      );
      assert.deepEqual(
        columns.map((c) => c.column_name),
        ['key'],
      );
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
