import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { listeningPort, startBansho } from '../../cli/run.js';
import { openRaw, rawRequest, upstreamForSuite, waitFor } from '../helpers.js';
import { childPids, HeldConnection, ownerOf } from './heldConnection.js';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';

/** Keep-alive connections from `ip`, one held by each worker (each worker accepts on the shared socket). */
async function oneInEachWorker(port: number, ip: string, workers: readonly number[]): Promise<HeldConnection[]> {
  const held = new Map<number, HeldConnection>();
  for (let round = 0; round < 20 && held.size < workers.length; round++) {
    const opened = await Promise.all(Array.from({ length: 4 }, () => HeldConnection.open(port, ip)));
    for (const c of opened) {
      assert.equal(await c.get(), 'answered');
      const owner = ownerOf(port, { ip, port: c.socket.localPort ?? 0 }, workers);
      if (owner !== null && !held.has(owner)) held.set(owner, c);
      else c.socket.destroy();
    }
  }
  assert.equal(held.size, workers.length, `connections from ${ip} reached ${held.size} of ${workers.length} workers`);
  return [...held.values()];
}

/** Send `bytes` from `ip` and resolve with the first bytes of the answer ('' when closed unanswered). */
async function firstBytes(port: number, ip: string, bytes: string): Promise<string> {
  const socket = await openRaw(port, ip);
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => {
      resolve(d.toString('latin1'));
      socket.destroy();
    });
    socket.once('close', () => resolve(''));
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

/** `count` requests for distinct missing paths pipelined on one connection: resolves with how many 404s came back. */
async function pipelinedAnswers(port: number, ip: string, count: number): Promise<number> {
  const socket = await openRaw(port, ip);
  const requests = Array.from(
    { length: count },
    (_, i) =>
      `GET /gone/${i}.html HTTP/1.1\r\nHost: localhost\r\n${i === count - 1 ? 'Connection: close\r\n' : ''}\r\n`,
  );
  return new Promise((resolve) => {
    let text = '';
    const answers = () => text.split('HTTP/1.1 404').length - 1;
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (answers() < count) return;
      resolve(count);
      socket.destroy();
    });
    socket.once('close', () => resolve(answers()));
    socket.on('error', () => {});
    socket.write(requests.join(''));
  });
}

describe('bansho serve --workers 2: one port, one ban list', () => {
  const site = upstreamForSuite('bansho-workers-');
  // The last --workers wins over serveArgs' own.
  const serveTwo = (db: string) => site.serveArgs(db, '--no-dashboard', '--workers', '2');
  const bothListening = (output: { stderr: string }) =>
    waitFor(
      'both workers to listen',
      () => (/2 worker processes/.test(output.stderr) ? listeningPort(output.stderr) : undefined),
      30_000,
    );

  it('a source banned by the worker it reached is dropped by every worker', async () => {
    const db = `${site.dir}/workers.db`;
    const { child, output, exited } = startBansho(serveTwo('workers.db'));
    try {
      const port = await bothListening(output);
      // Whichever worker accepts, it serves.
      for (let i = 0; i < 6; i++) {
        const ok = await rawRequest(port, '127.0.0.60', GET);
        assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
      }
      const refused = await rawRequest(port, '127.0.0.61', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n');
      assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'), refused.response);
      // The ban is durable before the refusal is written.
      const store = new Database(db, { readonly: true });
      const row = store.prepare("SELECT target FROM bans WHERE target = '127.0.0.61/32'").get();
      store.close();
      assert.ok(row, 'the ban is in the store');
      // Every later connection from the source, whichever worker it is handed to, is dropped unanswered.
      for (let i = 0; i < 12; i++) {
        const again = await rawRequest(port, '127.0.0.61', GET);
        assert.equal(again.response, '', `connection ${i + 1} was answered: ${again.response.slice(0, 40)}`);
      }
      // Others are still served by both.
      for (let i = 0; i < 4; i++) {
        const ok = await rawRequest(port, '127.0.0.62', GET);
        assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
    assert.match(output.stderr, /SIGTERM: stopping 2 worker process\(es\)/);
    assert.equal(output.stderr.match(/draining requests in flight/g)?.length, 2, 'each worker drains');
  });

  it('a ban made by one worker drops the source in every worker within 100 ms, on connections already open', async () => {
    const { child, output, exited } = startBansho(serveTwo('news.db'));
    try {
      const port = await bothListening(output);
      const workers = childPids(child.pid ?? 0);
      assert.equal(workers.length, 2);
      // Three sources, each banned in turn: the store's change log (polled every 250 ms) could
      // bring one ban in time by luck, hardly all three; the news between workers brings each.
      const sources = ['127.0.0.71', '127.0.0.72', '127.0.0.73'];
      const held = [];
      for (const ip of sources) held.push(await oneInEachWorker(port, ip, workers));
      for (const [i, ip] of sources.entries()) {
        const refused = await rawRequest(port, ip, CONNECT);
        assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'), refused.response);
        const banned = performance.now();
        for (const connection of held[i] ?? []) {
          let outcome = await connection.get();
          while (outcome === 'answered' && performance.now() - banned < 1000) {
            await new Promise((r) => setTimeout(r, 5));
            outcome = await connection.get();
          }
          const after = performance.now() - banned;
          assert.equal(outcome, 'dropped', `${ip} still served ${after.toFixed(0)} ms after its ban`);
          assert.ok(after <= 100, `${ip} dropped by a worker ${after.toFixed(0)} ms after its ban (at most 100)`);
        }
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it("a refused source's very next connections are dropped, whichever worker takes them: the refusal waits for every worker to hold the ban", async () => {
    const { child, output, exited } = startBansho(serveTwo('next.db'));
    try {
      const port = await bothListening(output);
      // Many sources, each refused, then at once four connections: each goes to whichever worker
      // accepts it first. Had the refusal gone out before the other worker held the ban (the relay
      // unacknowledged), one taken by that worker would be served now and then.
      for (let i = 1; i <= 250; i++) {
        const ip = `127.0.${2 + (i >> 8)}.${i & 255}`;
        // The next connections leave as soon as the refusal's first bytes arrive, not at its close.
        const refused = await firstBytes(port, ip, CONNECT);
        assert.ok(refused.startsWith('HTTP/1.1 400 Bad Request'), refused);
        const next = await Promise.all(Array.from({ length: 4 }, () => rawRequest(port, ip, GET)));
        for (const [n, again] of next.entries())
          assert.equal(again.response, '', `${ip}'s connection ${n + 1} after its refusal was answered`);
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('a source banned for its behaviour is dropped on its next connections, whichever worker takes them: the answer that completed the ban waits for every worker to hold it', async () => {
    const site404 = createServer((req, res) => {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-length': 2 }).end('ok');
    });
    await new Promise<void>((resolve) => site404.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(site404.address() as AddressInfo).port}`;
    const args = ['serve', '--upstream', url, '--listen', '127.0.0.1:0', '--db', `${site.dir}/behaviour.db`];
    const { child, output, exited } = startBansho([...args, '--no-dashboard', '--workers', '2']);
    try {
      const port = await bothListening(output);
      for (let i = 1; i <= 60; i++) {
        const ip = `127.0.5.${i}`;
        // Eleven distinct missing paths on one connection, so one worker counts them all and bans
        // (path-probing: more than 10); its answers come in order, the banning one held back.
        const answers = await pipelinedAnswers(port, ip, 11);
        assert.equal(answers, 11, `${ip}: the site answered ${answers} of its 11 requests`);
        const next = await Promise.all(Array.from({ length: 4 }, () => rawRequest(port, ip, GET)));
        for (const [n, again] of next.entries())
          assert.equal(again.response, '', `${ip}'s connection ${n + 1} after its ban was answered`);
      }
    } finally {
      child.kill('SIGTERM');
      site404.closeAllConnections();
      site404.close();
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('a worker that replaces one that died holds the bans its sibling could not write yet (the store locked)', async () => {
    const { child, output, exited } = startBansho(serveTwo('restart.db'));
    // Another process holds the store's write lock: a ban waits in its worker's queue, not in the store.
    let lock: Database.Database | null = null;
    let banner = 0;
    try {
      const port = await bothListening(output);
      const [first, second] = childPids(child.pid ?? 0);
      assert.ok(first && second, 'two workers');
      banner = second;
      lock = new Database(`${site.dir}/restart.db`);
      lock.exec('BEGIN IMMEDIATE');
      // With the first stopped, the second takes the probe and bans.
      process.kill(first, 'SIGSTOP');
      const refused = await rawRequest(port, '127.0.0.81', CONNECT);
      assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'), refused.response);
      process.kill(first, 'SIGKILL');
      await waitFor(
        'the replacement worker',
        () => /exited \(SIGKILL\); starting another\n/.test(output.stderr) || undefined,
        10_000,
      );
      const replacement = await waitFor(
        'the replacement to start',
        () => childPids(child.pid ?? 0).find((pid) => pid !== first && pid !== banner),
        10_000,
      );
      // It listens only once joined: a connection it holds means it was told what it must hold.
      await waitFor(
        'the replacement to accept',
        async () => {
          const c = await HeldConnection.open(port, '127.0.0.82');
          const answered = (await c.get()) === 'answered';
          const owner = ownerOf(port, { ip: '127.0.0.82', port: c.socket.localPort ?? 0 }, [replacement]);
          c.socket.destroy();
          return answered && owner === replacement ? true : undefined;
        },
        10_000,
      );
      const reader = new Database(`${site.dir}/restart.db`, { readonly: true });
      const stored = reader.prepare('SELECT count(*) AS n FROM bans').get() as { n: number };
      reader.close();
      assert.equal(stored.n, 0, 'the ban is not in the store: the replacement cannot have read it there');
      // Only the replacement accepts now; the banned source must be dropped by it.
      process.kill(banner, 'SIGSTOP');
      try {
        for (let i = 0; i < 4; i++) {
          const again = await rawRequest(port, '127.0.0.81', GET);
          assert.equal(
            again.response,
            '',
            `the replacement answered the banned source: ${again.response.slice(0, 40)}`,
          );
        }
        const other = await rawRequest(port, '127.0.0.83', GET);
        assert.ok(other.response.startsWith('HTTP/1.1 200'), other.response);
      } finally {
        process.kill(banner, 'SIGCONT');
      }
    } finally {
      lock?.exec('ROLLBACK');
      lock?.close();
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('a ban its worker could not write before it died is written by a sibling (the store locked until then)', async () => {
    const { child, output, exited } = startBansho(serveTwo('heir.db'));
    let lock: Database.Database | null = null;
    try {
      const port = await bothListening(output);
      const [heir, banner] = childPids(child.pid ?? 0);
      assert.ok(heir && banner, 'two workers');
      lock = new Database(`${site.dir}/heir.db`);
      lock.exec('BEGIN IMMEDIATE');
      process.kill(heir, 'SIGSTOP');
      try {
        const refused = await rawRequest(port, '127.0.0.91', CONNECT);
        assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'), refused.response);
      } finally {
        process.kill(heir, 'SIGCONT');
      }
      // The banner dies with the ban in its queue; the store takes writes again only after.
      process.kill(banner, 'SIGKILL');
      await waitFor(
        'the exit',
        () => /exited \(SIGKILL\); starting another\n/.test(output.stderr) || undefined,
        10_000,
      );
      lock.exec('ROLLBACK');
      lock.close();
      lock = null;
      const reader = new Database(`${site.dir}/heir.db`, { readonly: true });
      try {
        const row = await waitFor(
          'the ban in the store',
          () =>
            reader.prepare("SELECT reason, until FROM bans WHERE target = '127.0.0.91/32'").get() as
              | { reason: string; until: number }
              | undefined,
          10_000,
        );
        assert.ok(row.until > Date.now(), 'written with its end, still in force');
      } finally {
        reader.close();
      }
    } finally {
      if (lock !== null) {
        lock.exec('ROLLBACK');
        lock.close();
      }
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('says its start lines once, from the first worker, and keeps metrics on a socket of their own', async () => {
    const args = ['serve', '--upstream', site.url, '--listen', '127.0.0.1:0', '--db', `${site.dir}/lines.db`];
    const { child, output, exited } = startBansho([
      ...args,
      '--workers',
      '2',
      '--no-dashboard',
      '--metrics',
      '127.0.0.1:0',
    ]);
    try {
      const port = await bothListening(output);
      // The start lines may reach this pipe in more than one piece.
      await waitFor('the metrics line', () => /metrics on \S+\n/.test(output.stderr) || undefined);
      // Worker 1's lines, said by the primary once, not one copy per worker.
      assert.equal(output.stderr.match(/metrics on /g)?.length, 1, output.stderr);
      const metricsUrl = /metrics on (\S+)/.exec(output.stderr)?.[1] ?? '';
      // Port 0 twice in one worker: a shared cluster socket would hand the metrics listener the
      // gateway's own port, and scrapes would reach the site.
      assert.notEqual(new URL(metricsUrl).port, String(port));
      for (let i = 0; i < 4; i++) assert.match(await (await fetch(metricsUrl)).text(), /^bansho_/m);
      const ok = await rawRequest(port, '127.0.0.70', GET);
      assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('refuses a worker count that is not a whole number from 1 to 256', async () => {
    const { output, exited } = startBansho(['serve', '--upstream', site.url, '--workers', '0']);
    assert.equal(await exited, 1);
    assert.match(output.stderr, /--workers.*a whole number from 1 to 256/);
  });
});
