import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  RecordingUpstream,
  rawRequest,
  startTestGateway,
  storedEvents,
  tempDir,
  testConfig,
  waitFor,
} from './helpers.js';

const PROXY = '127.0.0.50';
const OUTSIDER = '127.0.0.51';

/** A request as a TLS terminator in front would pass it on, naming its client. */
const viaProxy = (target: string, client: string | null, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: www.example.org\r\n${client === null ? '' : `X-Forwarded-For: ${client}\r\n`}${extra}Connection: close\r\n\r\n`;

describe('behind a trusted proxy (trusted_proxies)', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  const db = `${tmp.dir}/p.db`;
  let g: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    const url = await upstream.listen();
    g = await startTestGateway({ ...testConfig(url, db), trustedProxies: [`${PROXY}/32`, '10.0.0.0/8'] });
  });
  after(async () => {
    await g.stop();
    await upstream.close();
    tmp.cleanup();
  });

  it("names, refuses and bans the proxy's client, turns it away with 403, and keeps serving everyone else", async () => {
    const worm = '192.0.2.7';
    const probe = await rawRequest(g.port, PROXY, viaProxy('http://irc.stealth.net:5558/', worm));
    assert.match(probe.response, /^HTTP\/1\.1 400 Bad Request/);
    await rawRequest(g.port, PROXY, viaProxy('http://irc.stealth.net:5558/', worm));
    const events = await storedEvents(g, db, worm);
    assert.deepEqual(
      events.map((e) => e.event.action),
      ['blocked', 'banned'],
      'the second probe bans the client, as from a direct connection',
    );
    assert.equal(events[1]?.bansho.ban?.target, `${worm}/32`);

    const again = await rawRequest(g.port, PROXY, viaProxy('/', worm));
    assert.match(again.response, /^HTTP\/1\.1 403 Forbidden\r\nConnection: close\r\n/);
    const neighbour = await rawRequest(g.port, PROXY, viaProxy('/', '192.0.2.8'));
    assert.match(neighbour.response, /^HTTP\/1\.1 200 /, "the proxy's other clients are served");
    assert.deepEqual(await storedEvents(g, db, PROXY), [], 'nothing is held against the proxy itself');
    const dropped = await waitFor('the drop report', async () => {
      const d = (await storedEvents(g, db, worm)).filter((e) => e.event.action === 'dropped');
      return d.length > 0 ? d : undefined;
    });
    assert.equal(dropped[0]?.source.ip, worm);
  });

  it('walks a chain of trusted hops from the right, and never reads what the client wrote left of it', async () => {
    await rawRequest(g.port, PROXY, viaProxy('http://irc.stealth.net:5558/', '198.51.100.66, 192.0.2.9, 10.1.2.3'));
    assert.equal((await storedEvents(g, db, '192.0.2.9')).length, 1);
    assert.equal((await storedEvents(g, db, '198.51.100.66')).length, 0);
  });

  it('ignores X-Forwarded-For from anyone else: a bot cannot pick whom a ban hits', async () => {
    await rawRequest(g.port, OUTSIDER, viaProxy('http://irc.stealth.net:5558/', '192.0.2.10'));
    assert.equal((await storedEvents(g, db, OUTSIDER)).length, 1);
    assert.equal((await storedEvents(g, db, '192.0.2.10')).length, 0);
  });

  it('never bans the proxy for requests it makes itself', async () => {
    for (let i = 0; i < 3; i++) await rawRequest(g.port, PROXY, viaProxy('http://irc.stealth.net:5558/', null));
    const own = await storedEvents(g, db, PROXY);
    assert.deepEqual(
      own.map((e) => e.event.action),
      ['blocked', 'blocked', 'blocked'],
    );
    assert.match((await rawRequest(g.port, PROXY, viaProxy('/', null))).response, /^HTTP\/1\.1 200 /);
  });

  it("passes the TLS terminator's X-Forwarded-Proto to the site, and not a client's own", async () => {
    await rawRequest(g.port, PROXY, viaProxy('/proto-proxied', '192.0.2.11', 'X-Forwarded-Proto: https\r\n'));
    await rawRequest(g.port, OUTSIDER, viaProxy('/proto-direct', '192.0.2.12', 'X-Forwarded-Proto: https\r\n'));
    const seen = (path: string) => upstream.requests.find((r) => r.url === path)?.headers;
    assert.equal(seen('/proto-proxied')?.['x-forwarded-proto'], 'https');
    assert.equal(seen('/proto-proxied')?.['x-forwarded-for'], `192.0.2.11, ${PROXY}`);
    assert.equal(seen('/proto-direct')?.['x-forwarded-proto'], 'http');
    assert.equal(seen('/proto-direct')?.['x-forwarded-for'], `192.0.2.12, ${OUTSIDER}`);
  });
});
