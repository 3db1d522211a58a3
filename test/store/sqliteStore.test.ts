import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { storeEvent } from './records.js';

const dir = mkdtempSync(join(tmpdir(), 'bansho-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stored event of PrettyPark's. */
function event(id: string, ts: string, ip: string): SecurityEvent {
  return { ...storeEvent(id, ip, ts), threat: { software: { id: 'prettypark', name: 'PrettyPark' } } };
}

describe('SqliteEventStore', () => {
  it('ignores an event id it already holds, across reopen', async () => {
    const file = join(dir, 'events.db');
    const a = new SqliteEventStore(file);
    assert.equal(
      await a.append([
        event('e1', '2003-02-03T10:00:00Z', '10.0.0.1'),
        event('e2', '2003-02-03T11:00:00Z', '10.0.0.2'),
      ]),
      2,
    );
    await a.close();
    const b = new SqliteEventStore(file);
    assert.equal(await b.append([event('e1', '2003-02-03T10:00:00Z', '10.0.0.1')]), 0);
    const found = await b.query({ sourceIp: '10.0.0.2' });
    assert.deepEqual(
      found.map((e) => e.event.id),
      ['e2'],
    );
    assert.equal(await b.count({ threatId: 'prettypark', since: Date.parse('2003-02-03T10:30:00Z') }), 1);
    await b.close();
  });
});

describe('SqliteEventStore batches', () => {
  it('stores a long batch in order, each id once, whether repeated in the batch or stored before', async () => {
    const store = new SqliteEventStore(join(dir, 'batch.db'));
    const at = (i: number) => new Date(Date.UTC(2003, 1, 3, 10, 0, i)).toISOString();
    // Stored before: e5 and e30.
    assert.equal(await store.append([event('e5', at(5), '10.0.0.5'), event('e30', at(30), '10.0.0.30')]), 2);
    // 45 events (several statements of many rows and a remainder), with e7 twice and e40 three times.
    const batch = Array.from({ length: 40 }, (_, i) => event(`e${i}`, at(i), `10.0.0.${i}`));
    batch.splice(20, 0, event('e7', at(7), '10.0.0.99'));
    batch.push(event('e40', at(40), '10.0.0.40'), event('e40', at(40), '10.0.0.98'), event('e40', at(40), '10.0.0.97'));
    batch.push(event('e41', at(41), '10.0.0.41'));
    assert.equal(await store.append(batch), 40);
    const all = await store.query({});
    assert.deepEqual(
      all.map((e) => e.event.id),
      Array.from({ length: 42 }, (_, i) => `e${i}`),
    );
    // The first of repeated ids is the one kept.
    assert.equal(all[7]?.source.ip, '10.0.0.7');
    assert.equal(all[40]?.source.ip, '10.0.0.40');
    await store.close();
  });
});

describe('SqliteBanStore', () => {
  it('keeps offences after a ban is removed and bumps the version on change', async () => {
    const store = new SqliteBanStore(join(dir, 'bans.db'));
    const v0 = await store.version();
    await store.put({
      target: '10.0.0.1/32',
      since: 0,
      until: 1000,
      reason: 'r',
      threatId: null,
      offence: 1,
      origin: 'auto',
    });
    assert.ok((await store.version()) > v0);
    assert.equal((await store.active(500)).length, 1);
    assert.equal((await store.active(1000)).length, 0);
    assert.equal(await store.remove('10.0.0.1/32'), true);
    assert.equal(await store.offences('10.0.0.1/32'), 1);
    await store.close();
  });
});
