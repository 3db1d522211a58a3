import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { rawRequest, upstreamForSuite, waitFor } from '../gateway/helpers.js';
import { type BanshoProcess, listeningPort, ROOT, startBansho } from './run.js';

const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

/**
 * `bansho serve` on a fresh port, one process (the failures of one gateway process are what is
 * tested; the workers' sharing is test/gateway/cluster/); resolves with the process and its
 * port once it listens.
 */
async function serve(args: string[]) {
  const run = startBansho(args);
  try {
    const port = await waitFor('the gateway to listen', () => listeningPort(run.output.stderr), 30_000);
    return { run, port };
  } catch (error) {
    // A serve that never listens must not outlive its test: it would keep the whole run waiting.
    run.child.kill('SIGKILL');
    throw error;
  }
}

async function stop(run: BanshoProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  run.child.kill(signal);
  return run.exited;
}

function storedBan(db: string, target: string) {
  const store = new SqliteBanStore(db);
  try {
    return store.activeSync(Date.now()).find((b) => b.target === target);
  } finally {
    void store.close();
  }
}

describe('bansho serve when its outputs or its store fail', () => {
  const site = upstreamForSuite();

  it('keeps serving and storing when the reader of --events - goes away (EPIPE), and says so once', async () => {
    const db = `${site.dir}/epipe.db`;
    const { run, port } = await serve(site.serveArgs('epipe.db', '--events', '-'));
    run.child.stdout.destroy();
    for (let i = 0; i < 3; i++)
      assert.ok((await rawRequest(port, `127.0.0.5${i}`, CONNECT)).response.startsWith('HTTP/1.1 400'));
    await waitFor('the output failure to be reported', () =>
      /JSON lines to standard output failed \(EPIPE\)/.test(run.output.stderr) ? true : undefined,
    );
    assert.ok((await rawRequest(port, '127.0.0.59', GET)).response.startsWith('HTTP/1.1 200'), 'still serving');
    assert.ok(storedBan(db, '127.0.0.52/32'), 'bans still reach the store');
    assert.equal(await stop(run), 0, run.output.stderr);
    assert.equal(run.output.stderr.match(/JSON lines to standard output failed/g)?.length, 1, 'reported once');
    const events = new SqliteEventStore(db);
    assert.equal((await events.query({ actions: ['banned'] })).length, 3, 'every event in the store');
    await events.close();
  });

  it('keeps serving when --events - writes to a full disk (stdout is /dev/full)', async () => {
    const db = `${site.dir}/stdoutfull.db`;
    const full = openSync('/dev/full', 'w');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${ROOT}src/cli/main.ts`,
        'serve',
        '--upstream',
        site.url,
        '--listen',
        '127.0.0.1:0',
        '--db',
        db,
        '--workers',
        '1',
        '--events',
        '-',
      ],
      { cwd: ROOT, stdio: ['ignore', full, 'pipe'] },
    );
    closeSync(full);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const port = await waitFor('the gateway to listen', () => listeningPort(stderr), 15_000);
    assert.ok((await rawRequest(port, '127.0.0.62', CONNECT)).response.startsWith('HTTP/1.1 400'));
    await waitFor('the output failure to be reported', () =>
      /JSON lines to standard output failed \(ENOSPC\)/.test(stderr) ? true : undefined,
    );
    assert.ok((await rawRequest(port, '127.0.0.63', GET)).response.startsWith('HTTP/1.1 200'), 'still serving');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });

  it('keeps serving when --events FILE is on a full disk (ENOSPC)', async () => {
    const { run, port } = await serve(site.serveArgs('full.db', '--events', '/dev/full'));
    assert.ok((await rawRequest(port, '127.0.0.60', CONNECT)).response.startsWith('HTTP/1.1 400'));
    await waitFor('the output failure to be reported', () =>
      /JSON lines to \/dev\/full failed \(ENOSPC\)/.test(run.output.stderr) ? true : undefined,
    );
    assert.equal((await rawRequest(port, '127.0.0.60', GET)).response, '', 'the ban holds');
    assert.ok((await rawRequest(port, '127.0.0.61', GET)).response.startsWith('HTTP/1.1 200'));
    assert.equal(await stop(run), 0, run.output.stderr);
  });

  it('has the ban in the store once the refusal is out: kill -9 right after it loses nothing', async () => {
    const db = `${site.dir}/kill.db`;
    const { run, port } = await serve(site.serveArgs('kill.db'));
    const refused = await rawRequest(port, '127.0.0.70', CONNECT);
    assert.ok(refused.response.startsWith('HTTP/1.1 400'));
    assert.equal(await stop(run, 'SIGKILL'), null);
    assert.equal(storedBan(db, '127.0.0.70/32')?.threatId, 'prettypark');
    const again = await serve(site.serveArgs('kill.db'));
    assert.equal((await rawRequest(again.port, '127.0.0.70', GET)).response, '', 'dropped after the restart');
    await stop(again.run);
  });

  it('refuses while another process holds the write lock, and writes the ban once it is released', async () => {
    const db = `${site.dir}/busy.db`;
    const { run, port } = await serve(site.serveArgs('busy.db'));
    const locker = new Database(db);
    locker.exec('BEGIN IMMEDIATE');
    try {
      const refused = await rawRequest(port, '127.0.0.80', CONNECT, 15_000);
      assert.ok(refused.response.startsWith('HTTP/1.1 400'), 'the refusal does not wait for the lock');
      const row = locker.prepare(`SELECT count(*) AS n FROM bans WHERE target = '127.0.0.80/32'`).get() as {
        n: number;
      };
      assert.equal(row.n, 0, 'not written while the lock is held');
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    await waitFor(
      'the ban to be written after the lock is released',
      () => (storedBan(db, '127.0.0.80/32') ? true : undefined),
      15_000,
    );
    assert.equal((await rawRequest(port, '127.0.0.80', GET, 15_000)).response, '', 'dropped meanwhile and after');
    assert.match(run.output.stderr, /ban on 127\.0\.0\.80\/32 not written yet \(SQLITE_BUSY\)/);
    assert.match(run.output.stderr, /1 waiting ban\(s\) written after/);
    assert.equal(await stop(run, 'SIGKILL'), null);
    assert.ok(storedBan(db, '127.0.0.80/32'), 'durable');
  });
});
