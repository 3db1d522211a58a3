import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  gatewayForSuite,
  ipv4Addresses,
  proxyV2,
  rawRequest,
  storedEvents,
  tlsFixture,
  tlsRequest,
  waitFor,
} from './helpers.js';

const PROXY = '127.0.0.50';
const OUTSIDER = '127.0.0.51';

/** A request as a TLS terminator in front would pass it on, naming its client. */
const viaProxy = (target: string, client: string | null, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: www.example.org\r\n${client === null ? '' : `X-Forwarded-For: ${client}\r\n`}${extra}Connection: close\r\n\r\n`;

describe('behind a trusted proxy (trusted_proxies)', () => {
  const s = gatewayForSuite({}, { trusted_proxies: [`${PROXY}/32`, '10.0.0.0/8'] });

  it("names, refuses and bans the proxy's client, turns it away with 403, and keeps serving everyone else", async () => {
    const worm = '192.0.2.7';
    const probe = await rawRequest(s.service.port, PROXY, viaProxy('http://irc.stealth.net:5558/', worm));
    assert.match(probe.response, /^HTTP\/1\.1 400 Bad Request/);
    await rawRequest(s.service.port, PROXY, viaProxy('http://irc.stealth.net:5558/', worm));
    const events = await storedEvents(s.service, s.db, worm);
    assert.deepEqual(
      events.map((e) => e.event.action),
      ['blocked', 'banned'],
      'the second probe bans the client, as from a direct connection',
    );
    assert.equal(events[1]?.bansho.ban?.target, `${worm}/32`);

    const again = await rawRequest(s.service.port, PROXY, viaProxy('/', worm));
    assert.match(again.response, /^HTTP\/1\.1 403 Forbidden\r\nConnection: close\r\n/);
    const neighbour = await rawRequest(s.service.port, PROXY, viaProxy('/', '192.0.2.8'));
    assert.match(neighbour.response, /^HTTP\/1\.1 200 /, "the proxy's other clients are served");
    assert.deepEqual(await storedEvents(s.service, s.db, PROXY), [], 'nothing is held against the proxy itself');
    const dropped = await waitFor('the drop report', async () => {
      const d = (await storedEvents(s.service, s.db, worm)).filter((e) => e.event.action === 'dropped');
      return d.length > 0 ? d : undefined;
    });
    assert.equal(dropped[0]?.source.ip, worm);
  });

  it('walks a chain of trusted hops from the right, and never reads what the client wrote left of it', async () => {
    await rawRequest(
      s.service.port,
      PROXY,
      viaProxy('http://irc.stealth.net:5558/', '198.51.100.66, 192.0.2.9, 10.1.2.3'),
    );
    assert.equal((await storedEvents(s.service, s.db, '192.0.2.9')).length, 1);
    assert.equal((await storedEvents(s.service, s.db, '198.51.100.66')).length, 0);
  });

  it('ignores X-Forwarded-For from anyone else: a bot cannot pick whom a ban hits', async () => {
    await rawRequest(s.service.port, OUTSIDER, viaProxy('http://irc.stealth.net:5558/', '192.0.2.10'));
    assert.equal((await storedEvents(s.service, s.db, OUTSIDER)).length, 1);
    assert.equal((await storedEvents(s.service, s.db, '192.0.2.10')).length, 0);
  });

  it('never bans the proxy for requests it makes itself', async () => {
    for (let i = 0; i < 3; i++) await rawRequest(s.service.port, PROXY, viaProxy('http://irc.stealth.net:5558/', null));
    const own = await storedEvents(s.service, s.db, PROXY);
    assert.deepEqual(
      own.map((e) => e.event.action),
      ['blocked', 'blocked', 'blocked'],
    );
    assert.match((await rawRequest(s.service.port, PROXY, viaProxy('/', null))).response, /^HTTP\/1\.1 200 /);
  });

  it("passes the TLS terminator's X-Forwarded-Proto to the site, and not a client's own", async () => {
    await rawRequest(s.service.port, PROXY, viaProxy('/proto-proxied', '192.0.2.11', 'X-Forwarded-Proto: https\r\n'));
    await rawRequest(s.service.port, OUTSIDER, viaProxy('/proto-direct', '192.0.2.12', 'X-Forwarded-Proto: https\r\n'));
    const seen = (path: string) => s.upstream.requests.find((r) => r.url === path)?.headers;
    assert.equal(seen('/proto-proxied')?.['x-forwarded-proto'], 'https');
    assert.equal(seen('/proto-proxied')?.['x-forwarded-for'], `192.0.2.11, ${PROXY}`);
    assert.equal(seen('/proto-direct')?.['x-forwarded-proto'], 'http');
    assert.equal(seen('/proto-direct')?.['x-forwarded-for'], `192.0.2.12, ${OUTSIDER}`);
  });
});

describe('behind a layer-4 balancer (proxy_protocol)', () => {
  const BALANCER = '127.0.0.70';
  const s = gatewayForSuite(
    {
      proxyProtocol: true,
      tls: {
        listen: { host: '127.0.0.1', port: 0 },
        certFile: tlsFixture('site.crt'),
        keyFile: tlsFixture('site.key'),
      },
    },
    { trusted_proxies: [`${BALANCER}/32`] },
  );

  const v1 = (client: string, port = 51234) => `PROXY TCP4 ${client} 127.0.0.1 ${port} 80\r\n`;

  it('bans the client a PROXY header names, drops its next connection after the header, and serves its neighbours', async () => {
    const worm = '192.0.2.20';
    const r = await rawRequest(
      s.service.port,
      BALANCER,
      `${v1(worm)}CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n`,
    );
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request/);
    const [banned] = await storedEvents(s.service, s.db, worm);
    assert.equal(banned?.event.action, 'banned');
    assert.equal(banned?.source.port, 51234);
    const again = await rawRequest(s.service.port, BALANCER, `${v1(worm, 51235)}GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.deepEqual(again, { response: '', ending: 'reset' });
    const ok = await rawRequest(
      s.service.port,
      BALANCER,
      `${v1('192.0.2.21')}GET /l4-plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.match(ok.response, /^HTTP\/1\.1 200 /);
    assert.equal(s.upstream.requests.find((q) => q.url === '/l4-plain')?.headers['x-forwarded-for'], '192.0.2.21');
    assert.deepEqual(await storedEvents(s.service, s.db, BALANCER), []);
  });

  it('reads a version-2 header ahead of a TLS handshake', async () => {
    const header = proxyV2(1, 0x11, ipv4Addresses('192.0.2.22', '127.0.0.1', 40001, 443));
    const r = await tlsRequest(
      s.tlsPort,
      BALANCER,
      'GET /l4-tls HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      header,
    );
    assert.equal(r.subject, 'bansho test site');
    assert.match(r.response, /^HTTP\/1\.1 200 /);
    const seen = s.upstream.requests.find((q) => q.url === '/l4-tls')?.headers;
    assert.equal(seen?.['x-forwarded-for'], '192.0.2.22');
    assert.equal(seen?.['x-forwarded-proto'], 'https');
  });

  it("serves the balancer's own health checks, and closes its connections that lack a header", async () => {
    const check = await rawRequest(
      s.service.port,
      BALANCER,
      'PROXY UNKNOWN\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.match(check.response, /^HTTP\/1\.1 200 /);
    const bare = await rawRequest(s.service.port, BALANCER, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(bare.response, '', 'closed unanswered');
  });

  it('takes no PROXY header from anyone else: to them it is a malformed request line', async () => {
    const r = await rawRequest(s.service.port, OUTSIDER, `${v1('192.0.2.23')}GET / HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request/);
    assert.equal((await storedEvents(s.service, s.db, '192.0.2.23')).length, 0);
    assert.ok((await storedEvents(s.service, s.db, OUTSIDER)).length > 0);
  });
});
