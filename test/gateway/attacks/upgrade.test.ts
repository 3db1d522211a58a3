import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { DEFAULT_TIMEOUTS } from '../../../src/config/index.js';
import { exchange, gatewayForSuite, openRaw, storedEvents, waitFor } from '../helpers.js';

/**
 * An upgrade that the site does not grant must not turn the connection into a raw pipe: what
 * the client sends after it is never forwarded unjudged (issue: walked past through an upgrade).
 */
describe('attack: walking past the gateway through an upgrade', () => {
  const suite = gatewayForSuite();

  it('holds the bytes after an upgrade the site refuses, passes its answer back, and closes', async () => {
    const socket = await openRaw(suite.service.port, '127.0.3.1');
    const r = await exchange(
      socket,
      'GET /not-a-socket HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' +
        'GET http://evil.example:25/ HTTP/1.1\r\nHost: evil.example:25\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n' +
        'CONNECT mail.example:25 HTTP/1.1\r\nHost: mail.example:25\r\n\r\n',
    );
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.response, /\r\nconnection: close\r\n/i);
    assert.match(r.response, /\r\n\r\nplain\n$/);
    assert.equal(r.ending, 'fin');
    // The site got the upgrade request and nothing after it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(suite.upstream.afterRefusedUpgrade, '');
    assert.ok(!suite.upstream.requests.some((q) => q.url.includes('evil') || q.method === 'CONNECT'));
  });

  it('serves an upgrade to a protocol not on the list as plain HTTP, without the upgrade', async () => {
    const socket = await openRaw(suite.service.port, '127.0.3.2');
    const r = await exchange(
      socket,
      'GET /h2c HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n',
    );
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n/);
    const seen = suite.upstream.requests.find((q) => q.url === '/h2c');
    assert.ok(seen, 'the request reached the site');
    assert.equal(seen.headers.upgrade, undefined);
    assert.equal(seen.headers['http2-settings'], undefined);
  });

  it('passes a WebSocket through when the site switches, and closes it once its source is banned', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${suite.service.port}/ws`, { localAddress: '127.0.3.3' });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    ws.send('hello through bansho');
    assert.equal(await echoed, 'hello through bansho');
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    assert.ok(suite.service.gateway.bans.ban('127.0.3.3', { reason: 'test', threatId: null, origin: 'manual' }));
    await closed;
    assert.ok(suite.service.gateway.stats.tunnelsClosedByBan >= 1);
  });

  it('refuses a proxy probe sent as an upgrade, with an event, before anything reaches the site', async () => {
    const before = suite.upstream.connections;
    const socket = await openRaw(suite.service.port, '127.0.3.4');
    const r = await exchange(
      socket,
      'GET http://evil.example:25/ HTTP/1.1\r\nHost: evil.example:25\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n/);
    const events = await waitFor('the event', async () => {
      const e = await storedEvents(suite.service, suite.db, '127.0.3.4');
      return e.length > 0 ? e : undefined;
    });
    assert.ok(['blocked', 'banned'].includes(events[0]?.event.action ?? ''));
    assert.equal(suite.upstream.connections, before);
  });
});

describe('attack: a tunnel left idle', () => {
  const suite = gatewayForSuite({ timeouts: { ...DEFAULT_TIMEOUTS, tunnelIdleMs: 300 } });

  it('is closed once neither side has sent anything for the idle timeout', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${suite.service.port}/ws`, { localAddress: '127.0.3.5' });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const opened = Date.now();
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    assert.ok(Date.now() - opened >= 250, 'not before the timeout');
  });
});
