import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { type LookupOptions, lookupAbuseContact } from '../../src/abuse/rdap/lookup.js';
import { RdapError } from '../../src/abuse/rdap/rdapError.js';
import { RdapCache } from '../../src/abuse/store/rdapCache.js';
import { openSqlite } from '../../src/store/index.js';
import { bootstrapFile, entity, ipNetwork, jcard, Registry, type Reply } from './rdapWorld.js';

const DAY = 86_400_000;

/** A port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Registries on 127.0.0.1 speaking RDAP over HTTP, found through a bootstrap file served by a
 * stand-in for IANA: a referral from one RIR to another (by redirect and by `related` link),
 * an abuse entity nested two levels down, a network without one, a slow server, 429s.
 */
describe('RDAP abuse contact lookup against local registries', () => {
  const rirA = new Registry((path, self) => routeA(path, self));
  const rirB = new Registry((path) => routeB(path));
  const slow = new Registry(() => ({ kind: 'hang' }));
  const limited = new Registry(() => ({ kind: 'rate-limited', retryAfter: '120' }));
  let brieflyAsked = 0;
  const briefly = new Registry((path) =>
    ++brieflyAsked === 1
      ? { kind: 'rate-limited', retryAfter: '1' }
      : { kind: 'json', body: contactNetwork(path, 'BRIEF-1', 'abuse@briefly.example') },
  );
  const paced = new Registry((path) => ({
    kind: 'json',
    body: ipNetwork({
      ...single(path, 'PACED'),
      entities: [entity('PACED-ABUSE', ['abuse'], jcard('Abuse', 'abuse@paced.example'))],
      notices: [{ title: 'Rate Limit Notice', description: ['Rate Limit is maxed at 2 queries per 1 minutes.'] }],
    }),
  }));
  const iana = new Registry(() => ({ kind: 'json', body: bootstrap }));
  let bootstrap: unknown;
  let offlinePort = 0;
  let dir = '';
  let db: Database.Database;
  let cache: RdapCache;

  function routeA(path: string, self: Registry): Reply {
    if (path === '/ip/192.0.2.7' || path === '/ip/192.0.2.8')
      return {
        kind: 'json',
        body: ipNetwork({
          handle: 'NET-A-7',
          name: 'ALPHA-DIALUP',
          start: '192.0.2.0',
          end: '192.0.2.127',
          // The abuse desk sits two levels below the network's own entities: org → NOC → abuse.
          entities: [
            entity('ORG-ALPHA', ['registrant'], jcard('Alpha Telecom'), [
              entity('NOC-ALPHA', ['technical'], jcard('Alpha NOC', 'noc@alpha.example'), [
                entity('ABUSE-ALPHA', ['abuse'], jcard('Alpha Abuse Desk', 'abuse@alpha.example')),
              ]),
            ]),
          ],
        }),
      };
    if (path === '/ip/198.51.100.7') return { kind: 'redirect', location: `${rirB.url}ip/198.51.100.7` };
    if (path === '/ip/198.51.100.9')
      return {
        kind: 'json',
        body: ipNetwork({
          handle: 'RIR-B-BLOCK',
          name: 'Transferred to RIR B',
          start: '198.51.100.0',
          end: '198.51.100.255',
          // RIR A's own abuse desk is not the network's: the related link is the answer.
          entities: [entity('RIR-A-ABUSE', ['abuse'], jcard('RIR A', 'abuse@rir-a.example'))],
          links: [
            { rel: 'self', href: `${self.url}ip/198.51.100.9`, type: 'application/rdap+json' },
            { rel: 'related', href: `${rirB.url}ip/198.51.100.9`, type: 'application/rdap+json' },
          ],
        }),
      };
    if (path === '/ip/2001:db8::1')
      return { kind: 'json', body: contactNetwork(path, 'NET6-A', 'abuse6@alpha.example') };
    return { kind: 'json', status: 404, body: { errorCode: 404, title: 'Not Found' } };
  }

  function routeB(path: string): Reply {
    if (path === '/ip/198.51.100.7' || path === '/ip/198.51.100.9')
      return { kind: 'json', body: contactNetwork(path, 'NET-B-100', 'abuse@bravo.example') };
    if (path === '/ip/203.0.113.5')
      return {
        kind: 'json',
        body: ipNetwork({
          handle: 'NET-B-113',
          name: 'BRAVO-HOSTING',
          start: '203.0.113.0',
          end: '203.0.113.63',
          entities: [
            entity('ORG-BRAVO', ['registrant'], jcard('Bravo Hosting'), [
              entity('NOC-BRAVO', ['technical'], jcard('Bravo NOC', 'noc@bravo.example')),
            ]),
          ],
        }),
      };
    return { kind: 'json', status: 404, body: { errorCode: 404, title: 'Not Found' } };
  }

  before(async () => {
    await Promise.all([rirA, rirB, slow, limited, briefly, paced, iana].map((r) => r.start()));
    offlinePort = await closedPort();
    bootstrap = bootstrapFile([
      [['192.0.2.0/24', '198.51.100.0/24'], rirA.url],
      // More specific than RIR A's /24: the slow registry answers for the upper half.
      [['192.0.2.128/25'], slow.url],
      [['203.0.113.0/24'], rirB.url],
      [['198.18.0.0/24'], limited.url],
      [['198.18.1.0/24'], briefly.url],
      [['198.18.2.0/24'], paced.url],
      [['10.0.0.0/8'], `http://127.0.0.1:${offlinePort}/`],
      [['2001:db8::/32'], rirA.url],
    ]);
  });
  after(async () => {
    await Promise.all([rirA, rirB, slow, limited, briefly, paced, iana].map((r) => r.stop()));
  });
  beforeEach(() => {
    if (dir) {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
    dir = mkdtempSync(join(tmpdir(), 'bansho-rdap-'));
    db = openSqlite(join(dir, 'bansho.db'));
    cache = new RdapCache(db);
    for (const r of [rirA, rirB, slow, limited, paced, iana]) r.asked.length = 0;
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (over: Partial<LookupOptions> = {}): LookupOptions => ({
    bootstrapUrl: `${iana.url}bootstrap.json`,
    timeoutMs: 400,
    deadlineMs: 3000,
    answerMaxAgeMs: 7 * DAY,
    bootstrapMaxAgeMs: 7 * DAY,
    maxRetryWaitMs: 2000,
    ...over,
  });

  it('finds an abuse entity nested two levels down, with the network name, range and handle', async () => {
    const { answer, fromCache } = await lookupAbuseContact('192.0.2.7', cache, options());
    assert.equal(fromCache, false);
    assert.equal(answer.kind, 'contact');
    if (answer.kind !== 'contact') return;
    assert.equal(answer.email, 'abuse@alpha.example');
    assert.equal(answer.contactHandle, 'ABUSE-ALPHA');
    assert.equal(answer.contactName, 'Alpha Abuse Desk');
    assert.equal(answer.network.name, 'ALPHA-DIALUP');
    assert.equal(answer.network.handle, 'NET-A-7');
    assert.equal(answer.network.startAddress, '192.0.2.0');
    assert.equal(answer.network.endAddress, '192.0.2.127');
    assert.deepEqual(answer.via, [`${rirA.url}ip/192.0.2.7`]);
  });

  it('follows a redirect from one registry to another', async () => {
    const { answer, notes } = await lookupAbuseContact('198.51.100.7', cache, options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@bravo.example');
    if (answer.kind !== 'contact') return;
    assert.deepEqual(answer.via, [`${rirA.url}ip/198.51.100.7`, `${rirB.url}ip/198.51.100.7`]);
    assert.equal(answer.url, `${rirB.url}ip/198.51.100.7`);
    assert.match(notes.join('\n'), /referred the query to 127\.0\.0\.1:\d+/);
  });

  it("follows a 'related' link to the registry that holds the network, not the referring registry's own desk", async () => {
    const { answer } = await lookupAbuseContact('198.51.100.9', cache, options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@bravo.example');
    assert.deepEqual(answer.kind === 'contact' && answer.network.cidrs, []);
    assert.equal(rirB.asked.length, 1);
  });

  it('answers no-contact for a network without an abuse entity', async () => {
    const { answer } = await lookupAbuseContact('203.0.113.5', cache, options());
    assert.equal(answer.kind, 'no-contact');
    assert.equal(answer.kind === 'no-contact' && answer.network.name, 'BRAVO-HOSTING');
  });

  it('answers no-registry for an address the bootstrap file does not cover, asking no registry', async () => {
    const { answer } = await lookupAbuseContact('100.64.0.1', cache, options());
    assert.equal(answer.kind, 'no-registry');
    assert.equal(rirA.asked.length + rirB.asked.length, 0);
  });

  it('answers no-registry when the registry has no network for the address (404)', async () => {
    const { answer } = await lookupAbuseContact('203.0.113.99', cache, options());
    assert.equal(answer.kind, 'no-registry');
  });

  it('looks IPv6 up through the same bootstrap', async () => {
    const { answer } = await lookupAbuseContact('2001:db8::1', cache, options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse6@alpha.example');
  });

  it('gives up on a slow registry at the timeout with a clear message', async () => {
    const started = Date.now();
    await assert.rejects(lookupAbuseContact('192.0.2.200', cache, options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_TIMEOUT');
      assert.match(err.message, /^127\.0\.0\.1:\d+ did not answer within 0\.4 s$/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(slow.asked.length, 1);
  });

  it('stops at a 429 with a long Retry-After, says when to try again, and keeps away until then', async () => {
    const started = Date.now();
    await assert.rejects(lookupAbuseContact('198.18.0.1', cache, options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_RATE_LIMITED');
      assert.match(
        err.message,
        /answered 429 Too Many Requests and asks for 120 s; try again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
      );
      assert.ok(err.retryAt !== null && err.retryAt >= started + 119_000);
      return true;
    });
    assert.equal(limited.asked.length, 1);
    await assert.rejects(lookupAbuseContact('198.18.0.2', cache, options()), /not asking 127\.0\.0\.1:\d+ now/);
    assert.equal(limited.asked.length, 1, 'the Retry-After is honoured across lookups');
  });

  it('waits out a short Retry-After once, then gets the answer', async () => {
    const started = Date.now();
    const { answer } = await lookupAbuseContact('198.18.1.1', cache, options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@briefly.example');
    assert.ok(Date.now() - started >= 1000, 'answered before the Retry-After ran out');
    assert.equal(briefly.asked.length, 2);
  });

  it('keeps to the limit a registry announces in its notices', async () => {
    await lookupAbuseContact('198.18.2.1', cache, options());
    await lookupAbuseContact('198.18.2.2', cache, options());
    await assert.rejects(lookupAbuseContact('198.18.2.3', cache, options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_RATE_LIMITED');
      assert.match(err.message, /takes 2 queries a minute \(the limit the registry announces\)/);
      return true;
    });
    assert.equal(paced.asked.length, 2);
  });

  it('says so when the registry cannot be reached', async () => {
    await assert.rejects(lookupAbuseContact('10.1.2.3', cache, options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_OFFLINE');
      assert.match(err.message, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline, or the server is down/);
      return true;
    });
  });

  it('says so when the bootstrap file cannot be had and none is cached', async () => {
    const url = `http://127.0.0.1:${offlinePort}/ipv4.json`;
    await assert.rejects(lookupAbuseContact('192.0.2.7', cache, options({ bootstrapUrl: url })), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_BOOTSTRAP');
      assert.match(
        err.message,
        /cannot get the RDAP bootstrap file http:\/\/127\.0\.0\.1:\d+\/ipv4\.json: cannot reach/,
      );
      return true;
    });
  });

  it('caches answers, reuses them for the whole network, and asks again once they are old', async () => {
    let now = Date.now();
    const clock = () => now;
    await lookupAbuseContact('192.0.2.7', cache, options({ now: clock }));
    const again = await lookupAbuseContact('192.0.2.7', cache, options({ now: clock }));
    const neighbour = await lookupAbuseContact('192.0.2.8', cache, options({ now: clock }));
    assert.equal(again.fromCache, true);
    assert.equal(neighbour.fromCache, true, 'an address in a cached network reuses its answer');
    assert.equal(rirA.asked.length, 1);
    now += 8 * DAY;
    const later = await lookupAbuseContact('192.0.2.7', cache, options({ now: clock }));
    assert.equal(later.fromCache, false);
    assert.equal(rirA.asked.length, 2);
  });

  it('keeps the bootstrap file with its age, refreshes it when old, and falls back to the old copy', async () => {
    let now = Date.now();
    const clock = () => now;
    await lookupAbuseContact('192.0.2.7', cache, options({ now: clock }));
    await lookupAbuseContact('203.0.113.5', cache, options({ now: clock }));
    assert.equal(iana.asked.length, 1, 'one fetch of the bootstrap file');
    now += 8 * DAY;
    await lookupAbuseContact('198.51.100.7', cache, options({ now: clock }));
    assert.equal(iana.asked.length, 2, 'refreshed once older than its maximum age');

    // The bootstrap server goes away: the cached copy still serves, and the caller is told.
    const moved = `http://127.0.0.1:${offlinePort}/bootstrap.json`;
    cache.putBootstrap(moved, JSON.stringify(bootstrap), now - 30 * DAY);
    const { answer, notes } = await lookupAbuseContact(
      '203.0.113.5',
      cache,
      options({ now: clock, bootstrapUrl: moved, refresh: true }),
    );
    assert.equal(answer.kind, 'no-contact');
    assert.match(
      notes.join('\n'),
      /could not refresh the RDAP bootstrap file \(cannot reach .*\); using the copy fetched/,
    );
  });
});

function single(path: string, handle: string): { handle: string; name: string; start: string; end: string } {
  const ip = path.slice('/ip/'.length);
  return { handle, name: `${handle}-NET`, start: ip, end: ip };
}

function contactNetwork(path: string, handle: string, email: string): unknown {
  return {
    ...(ipNetwork({
      ...single(path, handle),
      entities: [entity(`${handle}-ABUSE`, ['abuse'], jcard('Abuse', email))],
    }) as object),
    cidr0_cidrs: [],
  };
}
