import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { SpillFile, spillPath } from '../../src/store/sqlite/spill.js';
import { openSqlite } from '../../src/store/sqlite/sqliteStore.js';
import { ROOT } from '../cli/run.js';
import { tempDir } from '../gateway/helpers.js';
import { storeBan, storeEvent } from './records.js';

const tmp = tempDir('bansho-dbfile-');
after(tmp.cleanup);

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the database file', () => {
  it('is created 0600, and SQLite gives its -wal and -shm files the same mode', async () => {
    const file = `${tmp.dir}/private.db`;
    const previous = process.umask(0o022);
    try {
      const store = new SqliteEventStore(file);
      await store.append([storeEvent('e1', '192.0.2.1')]);
      assert.equal(mode(file), 0o600, 'db');
      assert.equal(mode(`${file}-wal`), 0o600, '-wal');
      assert.equal(mode(`${file}-shm`), 0o600, '-shm');
      await store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('migrates a database of the first schema: bans kept, the change log added', () => {
    const file = `${tmp.dir}/v1.db`;
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO bans VALUES ('192.0.2.9/32', 1, ?, 'old', NULL, 1, 'auto')`).run(Date.now() + 60_000);
    old.close();

    const db = openSqlite(file);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    const bans = new SqliteBanStore(db);
    const seen: string[] = [];
    const cursor = bans.snapshotSync(Date.now(), (target) => seen.push(target));
    assert.deepEqual(seen, ['192.0.2.9/32']);
    assert.equal(cursor, 0, 'no change logged yet');
    bans.putSync(storeBan('192.0.2.10/32'));
    assert.deepEqual(
      bans.changesSync(cursor, 10).changes.map((c) => [c.target, c.kind]),
      [['192.0.2.10/32', 'put']],
    );
    db.close();
    // Opening again migrates nothing more.
    openSqlite(file).close();
  });
});

describe('spill files', () => {
  it("replays a dead process's spill file at the next open, then removes it; a live one's stays", async () => {
    const file = `${tmp.dir}/spilled.db`;
    openSqlite(file).close();
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/store/spillingProcess.ts', file], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const deadPid = Number(child.stdout.trim());
    const orphan = spillPath(file, deadPid);
    assert.equal(mode(orphan), 0o600, 'a spill file holds request lines too');
    const mine = new SpillFile(file);
    mine.append({ bans: [storeBan('192.0.2.45/32')] });

    const logged: string[] = [];
    const db = openSqlite(file, { log: (line) => logged.push(line) });
    assert.equal(existsSync(orphan), false, 'replayed and removed');
    assert.equal(existsSync(mine.path), true, "a live process's file is its own to replay");
    assert.match(logged.join('\n'), /replayed 2 spilled record\(s\) from .*spill-\d+\.jsonl/);
    const events = new SqliteEventStore(db);
    assert.deepEqual(
      (await events.query({})).map((e) => e.event.id),
      ['spilled-1'],
    );
    const bans = new SqliteBanStore(db);
    assert.deepEqual(
      bans.activeSync(Date.now()).map((b) => b.target),
      ['192.0.2.44/32'],
    );
    assert.deepEqual(mine.replayInto(db), { records: 1, unreadable: 0 });
    assert.equal(existsSync(mine.path), false);
    db.close();
  });

  it('skips a line cut short by a crash, and says so', () => {
    const file = `${tmp.dir}/cut.db`;
    openSqlite(file).close();
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/store/spillingProcess.ts', file], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const orphan = spillPath(file, Number(child.stdout.trim()));
    writeFileSync(orphan, '{"event":{"@timest', { flag: 'a' });
    const logged: string[] = [];
    openSqlite(file, { log: (line) => logged.push(line) }).close();
    assert.match(logged.join('\n'), /replayed 2 spilled record\(s\) .*\(1 unreadable line\(s\) skipped\)/);
  });
});
