import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { EventSink } from '../../src/gateway/eventSink.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { spillPath } from '../../src/store/sqlite/spill.js';
import { openSqlite } from '../../src/store/sqlite/sqliteStore.js';
import { storeEvent } from '../store/records.js';
import { tempDir, waitFor } from './helpers.js';

const tmp = tempDir('bansho-sink-');
after(tmp.cleanup);

let n = 0;
const events = (count: number) => Array.from({ length: count }, () => storeEvent(`sink-${++n}`, '192.0.2.60'));

/** A sink on its own connection to `file`, whose store waits only briefly for a lock. */
function sinkOn(file: string, jsonLines: string | null = null) {
  const db = openSqlite(file);
  const errors: Array<{ code?: string; message: string }> = [];
  const sink = new EventSink({
    store: new SqliteEventStore(db),
    writeWaitMs: 10,
    jsonLines,
    retryMs: 10,
    probeMs: 50,
    onError: (err) => errors.push(err as Error & { code?: string }),
  });
  const stored = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  const close = async () => {
    await sink.close();
    db.close();
  };
  return { sink, errors, stored, close };
}

describe('the event sink when the store refuses writes', () => {
  it('retries, spills to a 0600 file, reports once, and replays the spill when the store takes writes again', async () => {
    const file = `${tmp.dir}/locked.db`;
    const s = sinkOn(file);
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    for (const e of events(5)) s.sink.push(e);
    await s.sink.flush();
    assert.deepEqual(
      { ...s.sink.stats, outputFailed: undefined },
      { written: 0, failed: 3, spilled: 5, replayed: 0, lost: 0, outputFailed: undefined },
    );
    const spill = spillPath(file, process.pid);
    assert.equal(statSync(spill).mode & 0o777, 0o600);
    for (const e of events(5)) s.sink.push(e);
    await s.sink.flush();
    assert.equal(s.sink.stats.spilled, 10, 'while the store is down, batches go straight to the spill file');
    assert.equal(s.errors.length, 1, 'reported once');
    assert.match(
      s.errors[0]?.message ?? '',
      /refused 5 event\(s\) 3 time\(s\) \(SQLITE_BUSY\): spilling to .*spill-\d+\.jsonl/,
    );
    assert.equal(s.errors[0]?.code, 'E_EVENT_STORE');

    locker.exec('ROLLBACK');
    await waitFor('the store to take a batch again', async () => {
      for (const e of events(1)) s.sink.push(e);
      await s.sink.flush();
      return s.sink.stats.written > 0 ? true : undefined;
    });
    assert.equal(s.sink.stats.replayed, s.sink.stats.spilled);
    assert.equal(existsSync(spill), false, 'replayed, then removed');
    assert.equal(s.stored(), n, 'every event pushed is in the store');
    assert.match(s.errors.at(-1)?.message ?? '', /takes writes again: \d+ spilled record\(s\) replayed/);
    await s.close();
    locker.close();
  });

  it('counts and reports events lost when the spill file cannot be written either', async () => {
    const file = `${tmp.dir}/nowhere.db`;
    const s = sinkOn(file);
    mkdirSync(spillPath(file, process.pid));
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    for (const e of events(3)) s.sink.push(e);
    await s.sink.flush();
    for (const e of events(2)) s.sink.push(e);
    await s.sink.flush();
    assert.equal(s.sink.stats.lost, 5);
    const lost = s.errors.filter((e) => e.code === 'E_EVENT_LOST');
    assert.equal(lost.length, 1, 'reported once, counted after');
    assert.match(
      lost[0]?.message ?? '',
      /3 event\(s\) lost: the store refused them \(SQLITE_BUSY\) and the spill file too \(EISDIR\)/,
    );
    locker.exec('ROLLBACK');
    locker.close();
    await s.close();
  });
});

describe('the JSON-lines copy when it cannot be written', () => {
  for (const [what, target, code] of [
    ['a full disk (/dev/full)', '/dev/full', /ENOSPC/],
    ['a file it may not write (a read-only sysfs attribute)', '/sys/devices/system/cpu/online', /EACCES|EROFS/],
    ['a path that is a directory', tmp.dir, /EISDIR/],
  ] as const)
    it(`reports ${what} once, counts what it misses, and the store still gets every event`, async () => {
      const s = sinkOn(`${tmp.dir}/out-${n}.db`, target);
      for (const e of events(4)) s.sink.push(e);
      await s.sink.flush();
      await waitFor('the output error', () => (s.errors.length > 0 ? true : undefined));
      for (const e of events(4)) s.sink.push(e);
      await s.sink.flush();
      assert.equal(s.errors.length, 1);
      assert.equal(s.errors[0]?.code, 'E_EVENT_OUTPUT');
      assert.match(s.errors[0]?.message ?? '', code);
      assert.equal(s.sink.stats.written, 8);
      assert.equal(s.stored(), 8);
      await waitFor('the misses to be counted', () => (s.sink.stats.outputFailed === 8 ? true : undefined));
      await s.close();
    });
});

describe('the event sink under a burst', () => {
  it('writes a burst one batch per turn of the event loop, so no turn carries the whole queue', async () => {
    const db = openSqlite(`${tmp.dir}/burst.db`);
    const store = new SqliteEventStore(db);
    // The real store, with each write noted by the turn it ran in.
    let turn = 0;
    const writes: Array<{ turn: number; size: number }> = [];
    const appendWaiting = store.appendWaiting.bind(store);
    store.appendWaiting = (batch, waitMs) => {
      writes.push({ turn, size: batch.length });
      return appendWaiting(batch, waitMs);
    };
    // Counts turns: an immediate that queues the next one runs once per turn.
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const sink = new EventSink({ store, jsonLines: null, batchSize: 50 });
    for (const e of events(1000)) sink.push(e);
    await waitFor('the burst to be written', () => (sink.written === 1000 ? true : undefined));
    ticking = false;
    assert.ok(
      writes.every((w) => w.size <= 50),
      `batch sizes ${writes.map((w) => w.size)}`,
    );
    assert.equal(new Set(writes.map((w) => w.turn)).size, writes.length, 'two batches in one turn');
    assert.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 1000);
    await sink.close();
    db.close();
  });
});
