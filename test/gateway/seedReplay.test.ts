import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { BAD_REQUEST_HEAD, rawRequest, startTestGateway, testConfig, upstreamForSuite } from './helpers.js';

const ATTACKER = '127.0.0.2';
const NEIGHBOUR = '127.0.0.3';
const SEED_GET = 'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n';
const SEED_CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';

/**
 * The seed's incident, replayed byte for byte against a real upstream through the gateway
 * (issue 2, "How it will be checked").
 */
describe('seed replay', () => {
  const site = upstreamForSuite();
  const db = `${site.dir}/bansho.db`;

  it('answers both probes 400 and closes, then drops the source at accept, and the upstream sees nothing', async () => {
    const service = await startTestGateway(testConfig(site.url, db));
    try {
      // As in the seed: the proxy test first, then — on a new connection, after that answer —
      // the mail-relay CONNECT. Each meets the defense function; the CONNECT earns the ban.
      const get = await rawRequest(service.port, ATTACKER, SEED_GET);
      assert.ok(get.response.startsWith(BAD_REQUEST_HEAD), JSON.stringify(get.response));
      assert.equal(get.ending, 'fin');

      const connect = await rawRequest(service.port, ATTACKER, SEED_CONNECT);
      assert.ok(connect.response.startsWith(BAD_REQUEST_HEAD), JSON.stringify(connect.response));
      assert.equal(connect.ending, 'fin');

      for (let i = 0; i < 5; i++) {
        const repeat = await rawRequest(service.port, ATTACKER, SEED_CONNECT);
        assert.equal(repeat.response, '', `repeat ${i} got bytes`);
        assert.notEqual(repeat.ending, 'timeout');
      }
      assert.equal(site.upstream.connections, 0, 'the upstream was contacted');
      assert.equal(site.upstream.requests.length, 0);
    } finally {
      await service.stop();
    }

    const events = new SqliteEventStore(db);
    const stored = await events.query({ sourceIp: ATTACKER });
    await events.close();
    const threats = new Set(stored.map((e) => e.threat?.software?.id));
    assert.ok(threats.has('prettypark'), `threats: ${[...threats].join(', ')}`);
    const banned = stored.find((e) => e.event.action === 'banned');
    assert.ok(banned, 'no banned event');
    assert.equal(banned.bansho.ban?.target, `${ATTACKER}/32`);
    assert.equal(banned.bansho.ban?.duration_s, 3600);
    assert.equal(banned.bansho.evidence, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.equal(banned.threat?.software?.id, 'prettypark');
    const blocked = stored.find((e) => e.event.action === 'blocked');
    assert.equal(blocked?.bansho.evidence, 'GET http://irc.stealth.net:5558/ HTTP/1.1');
    assert.equal(blocked?.threat?.software?.id, 'prettypark');
    assert.equal(banned.http?.response?.status_code, 400);
    const dropped = stored.filter((e) => e.event.action === 'dropped');
    assert.equal(
      dropped.reduce((n, e) => n + (e.event.count ?? 0), 0),
      5,
      'drops are summarised with a count',
    );
    assert.ok(dropped.length < 5, 'one event per burst, not per connection');

    const bans = new SqliteBanStore(db);
    const active = await bans.active(Date.now());
    await bans.close();
    assert.deepEqual(
      active.map((b) => b.target),
      [`${ATTACKER}/32`],
    );
  });

  it('keeps the ban across a restart on the same database', async () => {
    const service = await startTestGateway(testConfig(site.url, db));
    try {
      const again = await rawRequest(service.port, ATTACKER, SEED_CONNECT);
      assert.equal(again.response, '');
      assert.notEqual(again.ending, 'timeout');
      assert.equal(site.upstream.connections, 0);
    } finally {
      await service.stop();
    }
  });

  it('still serves the real site to a different source: GET, POST, keep-alive, a large streamed body, WebSocket', async () => {
    const service = await startTestGateway(testConfig(site.url, db));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const base = { host: '127.0.0.1', port: service.port, localAddress: NEIGHBOUR, agent };
    try {
      const get = await send({ ...base, method: 'GET', path: '/index.html' });
      assert.equal(get.status, 200);
      assert.match(get.body, /the real site/);

      const form = 'name=taro&message=hello';
      const post = await send(
        { ...base, method: 'POST', path: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        form,
      );
      assert.equal(post.status, 200);
      assert.equal(post.reused, true, 'the keep-alive connection was not reused');
      const seen = site.upstream.requests.find((r) => r.url === '/form');
      assert.equal(seen?.bodyBytes, form.length);
      assert.equal(seen?.headers['x-forwarded-for'], NEIGHBOUR);
      assert.equal(seen?.headers['x-forwarded-proto'], 'http');
      assert.equal(seen?.headers.via, '1.1 bansho');

      const size = 64 * 1024 * 1024;
      const expected = createHash('sha256');
      const body = generated(size, expected);
      const big = await send(
        { ...base, method: 'POST', path: '/hash', headers: { 'content-type': 'application/octet-stream' } },
        body,
      );
      assert.equal(big.status, 200);
      assert.equal(big.body.trim(), `${expected.digest('hex')} ${size}`);

      const echo = await websocketEcho(`ws://127.0.0.1:${service.port}/ws`, NEIGHBOUR, 'hello through the guardhouse');
      assert.equal(echo, 'hello through the guardhouse');
    } finally {
      agent.destroy();
      await service.stop();
    }
  });
});

interface Reply {
  status: number;
  body: string;
  reused: boolean;
}

function send(options: RequestOptions, body?: string | Readable): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), reused: req.reusedSocket }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

/** `size` bytes of a repeating pattern, produced on demand (never held in memory), hashed as they go. */
function generated(size: number, hash: ReturnType<typeof createHash>): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
}

function websocketEcho(url: string, localAddress: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('websocket echo timed out'));
    }, 5000);
    ws.on('open', () => ws.send(message));
    ws.on('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(String(data));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
