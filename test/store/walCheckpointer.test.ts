import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { openSqlite } from '../../src/store/sqlite/openSqlite.js';
import { WalCheckpointer } from '../../src/store/sqlite/walCheckpointer.js';
import { tempDir, waitFor } from '../gateway/helpers.js';

const MIB = 1024 * 1024;

/** Rows of about 64 KiB: a few of them are more pages than the 1000 of an automatic checkpoint. */
function writeRows(db: ReturnType<typeof openSqlite>, count: number): void {
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  for (let i = 0; i < count; i++) insert.run('x'.repeat(64 * 1024));
}

describe('checkpoints in a worker thread', () => {
  it('the connection stops checkpointing on its commits; the worker copies the WAL back so it is reused', async () => {
    const tmp = tempDir();
    const file = `${tmp.dir}/c.db`;
    const db = openSqlite(file);
    try {
      db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data TEXT NOT NULL)');
      const checkpointer = WalCheckpointer.start(db, { intervalMs: 20 });
      assert.ok(checkpointer);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
      // Without any checkpoint, 20 rounds of 4 MiB would leave an 80 MiB WAL.
      for (let round = 0; round < 20; round++) {
        writeRows(db, 64);
        // Each round waits for the worker to copy everything back: the next commit starts the WAL afresh.
        await waitFor('the worker to checkpoint', () => {
          const [state] = db.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>;
          return state && state.log > 0 && state.log === state.checkpointed ? true : undefined;
        });
      }
      assert.ok(statSync(`${file}-wal`).size < 16 * MIB, `WAL of ${statSync(`${file}-wal`).size} bytes`);
      await checkpointer.stop();
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'the connection checkpoints again');
      assert.equal((db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n, 20 * 64);
    } finally {
      db.close();
      tmp.cleanup();
    }
  });

  it('an in-memory database has nothing to copy back: no worker', () => {
    const db = openSqlite(':memory:');
    try {
      assert.equal(WalCheckpointer.start(db), null);
    } finally {
      db.close();
    }
  });
});
