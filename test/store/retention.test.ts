import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseConfigText, resolveGatewayConfig } from '../../src/config/index.js';
import { Allowlist } from '../../src/defense/allowlist.js';
import { BanManager } from '../../src/defense/banManager.js';
import { DAY_MS, DEFAULT_BAN_POLICY } from '../../src/defense/banPolicy.js';
import { encodeEvent } from '../../src/store/encodedEvent.js';
import { putBans } from '../../src/store/sqlite/banWrites.js';
import { insertEvents } from '../../src/store/sqlite/eventWrites.js';
import { StoreRetention } from '../../src/store/sqlite/retention.js';
import { openSqlite, SqliteBanStore } from '../../src/store/sqlite/sqliteStore.js';
import { tempDir, waitFor } from '../gateway/helpers.js';
import { storeBan, storeEvent } from '../store/records.js';

const tmp = tempDir('bansho-retention-');
after(tmp.cleanup);

const NOW = Date.UTC(2026, 5, 1);
const iso = (ms: number) => new Date(ms).toISOString();

function eventsAt(db: Database.Database, count: number, ts: number, prefix: string): void {
  insertEvents(
    db,
    Array.from({ length: count }, (_, i) => encodeEvent(storeEvent(`${prefix}-${i}`, '192.0.2.1', iso(ts)))),
  );
}

const countOf = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  it('deletes events past the retention a bounded batch per slice, oldest first, keeping the rest', () => {
    const db = openSqlite(`${tmp.dir}/events.db`);
    eventsAt(db, 12_000, NOW - 100 * DAY_MS, 'old');
    eventsAt(db, 100, NOW - 10 * DAY_MS, 'new');
    const retention = new StoreRetention(db, { retentionMs: 90 * DAY_MS, batch: 5000, clock: () => NOW });
    assert.deepEqual(
      [retention.pruneSlice().events, retention.pruneSlice().events, retention.pruneSlice().events],
      [5000, 5000, 2000],
    );
    assert.equal(retention.pruneSlice().events, 0);
    assert.equal(countOf(db, 'events'), 100);
    db.close();
  });

  it('runs in the background once started, and says once when the store is locked', async () => {
    const file = `${tmp.dir}/background.db`;
    const db = openSqlite(file);
    eventsAt(db, 300, NOW - 100 * DAY_MS, 'old');
    const errors: string[] = [];
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    const retention = new StoreRetention(db, {
      retentionMs: DAY_MS,
      batch: 100,
      intervalMs: 20,
      waitMs: 5,
      clock: () => NOW,
      onError: (err) => errors.push(String(err)),
    }).start();
    await waitFor('the locked store to be reported', () => (errors.length > 0 ? true : undefined));
    locker.exec('ROLLBACK');
    await waitFor('the old events to go', () => (countOf(db, 'events') === 0 ? true : undefined));
    retention.stop();
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /pruning deferred: SqliteError: database is locked/);
    locker.close();
    db.close();
  });

  it('prunes the ban change log past a day; a reader left behind reads the whole list again', () => {
    const file = `${tmp.dir}/changes.db`;
    const db = openSqlite(file);
    const reader = new BanManager({
      store: new SqliteBanStore(file),
      policy: DEFAULT_BAN_POLICY,
      allowlist: new Allowlist([]),
      emit: () => {},
      pollMs: 3_600_000,
      clock: () => NOW,
    });
    // Written two days ago (by the log's clock) and not read by the reader since.
    putBans(db, [storeBan('192.0.2.7/32', NOW, 1), storeBan('192.0.2.8/32', NOW, 1)], NOW - 2 * DAY_MS);
    putBans(db, [storeBan('192.0.2.9/32', NOW, 1)], NOW);
    const retention = new StoreRetention(db, { retentionMs: 90 * DAY_MS, clock: () => NOW });
    assert.equal(retention.pruneSlice().changes, 2);
    assert.equal(countOf(db, 'ban_changes'), 1);
    reader.sync();
    for (const ip of ['192.0.2.7', '192.0.2.8', '192.0.2.9']) assert.equal(reader.isBanned(ip), true, ip);
    reader.close();
    db.close();
  });

  it('deletes bans that ended more than a day ago, keeping their offences', () => {
    const db = openSqlite(`${tmp.dir}/bans.db`);
    const ended = { ...storeBan('192.0.2.20/32', NOW - 3 * DAY_MS, 3), until: NOW - 2 * DAY_MS };
    const recent = { ...storeBan('192.0.2.21/32', NOW - DAY_MS, 1), until: NOW - 1000 };
    putBans(db, [ended, recent]);
    new StoreRetention(db, { retentionMs: 90 * DAY_MS, clock: () => NOW }).pruneSlice();
    assert.deepEqual(db.prepare('SELECT target FROM bans').all(), [{ target: '192.0.2.21/32' }]);
    assert.equal(new SqliteBanStore(db).offencesSync('192.0.2.20/32'), 3, 'a returning offender still escalates');
    db.close();
  });

  it('is `retention` in the config file, 90 days unless set', () => {
    const upstream = 'http://127.0.0.1:8080';
    assert.equal(resolveGatewayConfig({}, { upstream }).retentionMs, 90 * DAY_MS);
    assert.equal(resolveGatewayConfig(parseConfigText('retention: 30d'), { upstream }).retentionMs, 30 * DAY_MS);
    assert.throws(() => parseConfigText('retention: 0s', 'b.yaml'), /retention \(line 1\): must be longer than 0/);
  });
});
