import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { PoolShare } from '../../../src/gateway/cluster/connectionShare.js';
import type { PeerChannel } from '../../../src/gateway/cluster/peerNews.js';
import { startGatewayService } from '../../../src/gateway/service.js';
import { listeningPort, startBansho } from '../../cli/run.js';
import { openRaw, tempDir, testConfig, upstreamForSuite, waitFor } from '../helpers.js';
import { childPids, ownersOf } from './heldConnection.js';

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

interface Answer {
  readonly status: number;
  /** The response said `Connection: close`: the client opens a new connection for its next request. */
  readonly closes: boolean;
}

/**
 * A client's keep-alive connection, as wrk holds one: requests one after another (or a few
 * pipelined at once), and a new connection from the same source when an answer says close.
 */
class KeptConnection {
  #socket: Socket;
  readonly #port: number;
  readonly #ip: string;

  private constructor(socket: Socket, port: number, ip: string) {
    this.#socket = socket;
    this.#port = port;
    this.#ip = ip;
  }

  static async open(port: number, ip: string): Promise<KeptConnection> {
    return new KeptConnection(await openRaw(port, ip), port, ip);
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  /** `count` GETs written at once; resolves with their answers (fewer when the connection closed early). */
  async send(count = 1): Promise<Answer[]> {
    const answers = await answersOf(this.#socket, GET.repeat(count), count);
    if (answers.length === count && answers.at(-1)?.closes) {
      this.#socket.destroy();
      this.#socket = await openRaw(this.#port, this.#ip);
    }
    return answers;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** Write `bytes` and read `count` answers (heads and content-length bodies), or what came before the close. */
function answersOf(socket: Socket, bytes: string, count: number): Promise<Answer[]> {
  return new Promise((resolve) => {
    let text = '';
    const answers: Answer[] = [];
    const done = () => {
      socket.off('data', onData);
      socket.off('close', done);
      resolve(answers);
    };
    const onData = (d: Buffer) => {
      text += d.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
        const head = text.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (text.length < end + 4 + length) return;
        answers.push({ status: Number(head.slice(9, 12)), closes: /\r\nconnection: *close/i.test(head) });
        text = text.slice(end + 4 + length);
        if (answers.length === count) return done();
      }
    };
    socket.on('data', onData);
    socket.once('close', done);
    socket.write(bytes);
  });
}

describe('bansho serve --workers 2 keeps the keep-alive connections even', () => {
  const site = upstreamForSuite('bansho-balance-');
  const CONNECTIONS = 32;

  it('connections all accepted by one worker end split within the bound, and no request is lost', async () => {
    const { child, output, exited } = startBansho(site.serveArgs('balance.db', '--no-dashboard', '--workers', '2'));
    const connections: KeptConnection[] = [];
    let stopped: number | null = null;
    try {
      const port = await waitFor(
        'both workers to listen',
        () => (/2 worker processes/.test(output.stderr) ? listeningPort(output.stderr) : undefined),
        30_000,
      );
      const workers = childPids(child.pid ?? 0);
      assert.equal(workers.length, 2);
      const [busy, idle] = workers as [number, number];
      const split = (): [number, number] => {
        const owners = ownersOf(
          port,
          connections.map((c) => ({ ip: '127.0.0.1', port: c.localPort })),
          workers,
        );
        return [owners.filter((o) => o === busy).length, owners.filter((o) => o === idle).length];
      };
      // The worst a burst can fall: one worker does not wake (stopped here), the other takes every connection.
      process.kill(idle, 'SIGSTOP');
      stopped = idle;
      for (let i = 0; i < CONNECTIONS; i++) connections.push(await KeptConnection.open(port, '127.0.0.1'));
      // Already over its share (the primary counts both workers), the worker lets connections go;
      // their clients' new connections land in it again, the only one accepting.
      for (const c of connections)
        assert.deepEqual(
          (await c.send()).map((a) => a.status),
          [200],
        );
      const all = () => {
        const now = split();
        return now[0] + now[1] === CONNECTIONS ? now : undefined;
      };
      assert.deepEqual(await waitFor('every connection accepted', all), [CONNECTIONS, 0]);
      process.kill(idle, 'SIGCONT');
      stopped = null;

      // Once the fuller worker lets connections go again (those it let go meanwhile have settled),
      // pipelined pairs on its connections: each request is answered, none cut by a close.
      await waitFor('the fuller worker to let a connection go', async () => {
        for (const c of connections) {
          const answers = await c.send();
          assert.deepEqual(
            answers.map((a) => a.status),
            [200],
          );
          if (answers[0]?.closes) return true;
        }
        return undefined;
      });
      for (const c of connections) {
        const answers = await c.send(2);
        assert.deepEqual(
          answers.map((a) => a.status),
          [200, 200],
        );
        assert.equal(answers[0]?.closes, false, 'a response with a request behind it never closes');
      }
      // Requests on every connection, as wrk sends them, until the split is within the bound:
      // each worker within a sixteenth (at least 2) of the even 16.
      let answered = 0;
      const bound = CONNECTIONS / 2 + 2;
      const settled = await waitFor(
        'the connections to spread over both workers',
        async () => {
          const answers = await Promise.all(connections.map((c) => c.send()));
          for (const a of answers)
            assert.deepEqual(
              a.map((x) => x.status),
              [200],
            );
          answered += answers.length;
          const now = all();
          return now !== undefined && Math.max(...now) <= bound ? now : undefined;
        },
        20_000,
      );
      assert.ok(answered > 0);
      assert.ok(Math.min(...settled) >= CONNECTIONS - bound, `split ${settled.join('/')}`);
    } finally {
      if (stopped !== null) process.kill(stopped, 'SIGCONT');
      for (const c of connections) c.close();
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });
});

describe('a pool worker lets a connection go only at an idle-safe point', () => {
  it('the close comes after the whole response, and a request that crossed it is never forwarded', async () => {
    const seen: string[] = [];
    let finish = (): void => {};
    const site = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url !== '/slow') {
        res.end('ok');
        return;
      }
      res.writeHead(200, { 'content-length': '5' });
      res.write('ab');
      finish = () => res.end('cde');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    let tell: (share: PoolShare) => void = () => {};
    // One worker of two, as the primary would say once the test lets it.
    const peers: PeerChannel = {
      send() {},
      ban: () => Promise.resolve(),
      listen: () => () => {},
      holding() {},
      share(hear) {
        tell = hear;
      },
      brief() {},
      custody() {},
      adopt() {},
    };
    const tmp = tempDir('bansho-balance-');
    const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const service = await startGatewayService(testConfig(url, `${tmp.dir}/b.db`), { log: () => {}, peers });
    const port = service.gateway.address().port;
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) sockets.push(await openRaw(port, '127.0.0.1'));
      // Alone so far: nothing is let go, and every connection is counted.
      for (const s of sockets) {
        const [answer] = await answersOf(s, GET, 1);
        assert.deepEqual(answer, { status: 200, closes: false });
      }
      // 6 against none: one over the share's bound (3 + 2).
      tell({ others: 0, workers: 2 });
      const slow = sockets[0] as Socket;
      let text = '';
      const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
      slow.on('data', (d: Buffer) => {
        text += d.toString('latin1');
      });
      slow.write('GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await waitFor('the head of the slow answer', () => (text.includes('ab') ? true : undefined));
      assert.match(text, /\r\nconnection: close\r\n/i);
      // The client's next request crosses the close on the wire.
      slow.write('GET /crossed HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await waitFor('the crossed request to be read', () => (service.gateway.stats.requests >= 8 ? true : undefined));
      finish();
      await closed;
      assert.ok(text.endsWith('\r\n\r\nabcde'), `the whole answer, then the close: ${JSON.stringify(text)}`);
      assert.equal(seen.includes('/crossed'), false, 'a request after the close is not forwarded');
      // The share is kept: the other connections stay open.
      const [next] = await answersOf(sockets[1] as Socket, GET, 1);
      assert.deepEqual(next, { status: 200, closes: false });
    } finally {
      for (const s of sockets) s.destroy();
      await service.stop();
      site.closeAllConnections();
      site.close();
      tmp.cleanup();
    }
  });
});
