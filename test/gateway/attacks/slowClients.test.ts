import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS } from '../../../src/config/index.js';
import { exchange, gatewayForSuite, openRaw, rawRequest, storedEvents, tlsFixture, waitFor } from '../helpers.js';

/** A GET from `localAddress`; resolves with the status and how long it took. */
function timedGet(port: number, localAddress: string, path = '/'): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** Start a POST whose 1000-byte body never comes: one byte now and then, as slow-POST tools send it. */
async function trickle(port: number, localAddress: string): Promise<{ socket: Socket; stop(): void }> {
  const socket = await openRaw(port, localAddress);
  socket.on('error', () => {});
  socket.write('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nx');
  const timer = setInterval(() => socket.write('x'), 200);
  const stop = (): void => {
    clearInterval(timer);
    socket.destroy();
  };
  return { socket, stop };
}

describe('attack: 100 slow POSTs from 100 addresses', () => {
  // Few upstream connections, so that any attacker holding one would starve the site at once.
  const suite = gatewayForSuite({ limits: { ...DEFAULT_LIMITS, upstreamConnections: 4 } });

  it('do not delay a visitor by a second, and none of them reaches the site', async () => {
    const attackers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => trickle(suite.service.port, `127.0.4.${i + 1}`)),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let i = 0; i < 5; i++) {
        const visit = await timedGet(suite.service.port, '127.0.5.1', `/visitor${i}`);
        assert.equal(visit.status, 200);
        assert.ok(visit.ms < 1000, `the visitor waited ${visit.ms} ms`);
      }
      assert.ok(!suite.upstream.requests.some((q) => q.url === '/upload'), 'an unfinished body reached the site');
    } finally {
      for (const a of attackers) a.stop();
    }
  });
});

describe('attack: a body slower than the minimum rate', () => {
  const suite = gatewayForSuite({
    timeouts: { ...DEFAULT_TIMEOUTS, bodyMs: 300 },
    limits: { ...DEFAULT_LIMITS, bodyMinRate: 100, strikesToBan: 2 },
  });

  it('is cut with 408, recorded as slow HTTP, and a source that keeps at it is banned', async () => {
    for (let round = 0; round < 2; round++) {
      const socket = await openRaw(suite.service.port, '127.0.4.200');
      const r = await exchange(socket, 'POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\nab');
      assert.match(r.response, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    }
    const events = await waitFor('two events', async () => {
      const e = await storedEvents(suite.service, suite.db, '127.0.4.200');
      return e.length >= 2 ? e : undefined;
    });
    assert.ok(
      events.every((e) => e.threat?.software?.id === 'slow-http-dos'),
      JSON.stringify(events[0]?.threat),
    );
    assert.equal(events.at(-1)?.event.action, 'banned');
    const after = await rawRequest(suite.service.port, '127.0.4.200', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    // Dropped at accept: closed without a byte of answer.
    assert.deepEqual({ response: after.response, open: after.ending === 'timeout' }, { response: '', open: false });
  });

  it('lets a body that keeps the rate through', async () => {
    const socket = await openRaw(suite.service.port, '127.0.4.201');
    const body = 'a'.repeat(300);
    const done = exchange(
      socket,
      `POST /hash HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    for (let i = 0; i < 300; i += 60) {
      socket.write(body.slice(i, i + 60));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const r = await done;
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('attack: greedy clients', () => {
  const suite = gatewayForSuite({
    timeouts: { ...DEFAULT_TIMEOUTS, sendMs: 500 },
    limits: {
      ...DEFAULT_LIMITS,
      connectionsPerSource: 3,
      requestsPerSource: 2,
      upstreamConnections: 2,
      upstreamQueue: 1,
    },
  });

  it('a source over its share of connections has the extra ones reset', async () => {
    const held = await Promise.all([1, 2, 3].map(() => openRaw(suite.service.port, '127.0.6.1')));
    const extra = await rawRequest(suite.service.port, '127.0.6.1', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.deepEqual({ response: extra.response, open: extra.ending === 'timeout' }, { response: '', open: false });
    assert.ok(suite.service.gateway.stats.overLimit >= 1);
    const events = await storedEvents(suite.service, suite.db, '127.0.6.1');
    assert.ok(events.some((e) => e.threat?.software?.id === 'connection-flood' && e.event.action === 'blocked'));
    for (const s of held) s.destroy();
    await waitFor('the share to be free again', async () => {
      const r = await rawRequest(
        suite.service.port,
        '127.0.6.1',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      return r.response.startsWith('HTTP/1.1 200') ? true : undefined;
    });
  });

  it('a source over its share of requests in flight gets 429', async () => {
    const slow = [1, 2].map(() => timedGet(suite.service.port, '127.0.6.2', '/slow?ms=400'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await rawRequest(suite.service.port, '127.0.6.2', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(third.response, /^HTTP\/1\.1 429 Too Many Requests\r\n/);
    for (const s of await Promise.all(slow)) assert.equal(s.status, 200);
  });

  it('a client that hangs up before its answer gives back its share and its upstream fetch', async () => {
    // Three answers the upstream holds for 8 s fill both its connections and the queue; the
    // first two are 127.0.6.41's whole share of requests in flight.
    const sockets = await Promise.all(
      ['127.0.6.41', '127.0.6.41', '127.0.6.42'].map((ip) => openRaw(suite.service.port, ip)),
    );
    const stats = suite.service.gateway.stats;
    const forwarded = stats.forwarded;
    for (const s of sockets) {
      s.on('error', () => {});
      s.write('GET /slow?ms=8000 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    }
    await waitFor('the three to be forwarded', () => (stats.forwarded >= forwarded + 3 ? true : undefined));
    for (const s of sockets) s.destroy();
    // Long before the upstream would answer (waitFor gives up after 5 s), its fetches are dropped…
    await waitFor('room upstream again', async () => {
      const r = await rawRequest(
        suite.service.port,
        '127.0.6.43',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      return r.response.startsWith('HTTP/1.1 200') ? true : undefined;
    });
    // …and, by the same 'close', the share of the source that left is free.
    const again = await rawRequest(
      suite.service.port,
      '127.0.6.41',
      'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.match(again.response, /^HTTP\/1\.1 200 OK\r\n/);
  });

  it('past the upstream queue, new requests get 503 at once', async () => {
    const busy = [1, 2, 3].map((i) => timedGet(suite.service.port, `127.0.6.${10 + i}`, '/slow?ms=500'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const r = await rawRequest(suite.service.port, '127.0.6.20', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(r.response, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    await Promise.all(busy);
  });

  it('a client that never reads its answer is cut off after the send timeout', async () => {
    const socket = await openRaw(suite.service.port, '127.0.6.30');
    socket.on('error', () => {});
    socket.pause();
    socket.write('GET /big?bytes=67108864 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor('the send timeout', () => (suite.service.gateway.stats.sendTimeouts > 0 ? true : undefined));
    // Reading now, the client finds its answer cut short.
    let received = 0;
    socket.on('data', (d: Buffer) => {
      received += d.length;
    });
    socket.resume();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    assert.ok(received < 67108864, `${received} bytes arrived`);
    // Its upstream connection is free again: the site still answers.
    assert.equal((await timedGet(suite.service.port, '127.0.6.31')).status, 200);
  });
});

describe('attack: a TLS handshake that never comes', () => {
  const suite = gatewayForSuite({
    timeouts: { ...DEFAULT_TIMEOUTS, tlsHandshakeMs: 300 },
    tls: { listen: { host: '127.0.0.1', port: 0 }, certFile: tlsFixture('site.crt'), keyFile: tlsFixture('site.key') },
  });

  it('is cut at the handshake timeout, whatever the client keeps sending', async () => {
    const socket = await openRaw(suite.tlsPort, '127.0.6.40');
    // Half a ClientHello record header, then nothing: a slowloris on the handshake.
    const r = await exchange(socket, Buffer.from([0x16, 0x03, 0x01]), 5000);
    assert.notEqual(r.ending, 'timeout', 'the gateway kept the handshake open');
  });
});
