import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import type Database from 'better-sqlite3';
import type { LookupOptions } from '../../src/abuse/rdap/lookup.js';
import { RdapCache } from '../../src/abuse/store/rdapCache.js';
import { openSqlite } from '../../src/store/index.js';
import { bootstrapFile, entity, ipNetwork, jcard, Registry, type Reply } from './rdapWorld.js';

const DAY = 86_400_000;

/** A port nothing listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Registries on 127.0.0.1 speaking RDAP over HTTP, found through a bootstrap file served by a
 * stand-in for IANA: a referral from one RIR to another (by redirect and by `related` link),
 * an abuse entity nested two levels down, a network without one, a slow server, 429s, a
 * registry that announces its pace, and one nobody listens for.
 */
export class TestRegistries {
  readonly rirA = new Registry((path, self) => this.#routeA(path, self));
  readonly rirB = new Registry((path) => this.#routeB(path));
  readonly slow = new Registry(() => ({ kind: 'hang' }));
  readonly limited = new Registry(() => ({ kind: 'rate-limited', retryAfter: '120' }));
  /** 429 with a one-second Retry-After the first time, the answer after that. */
  readonly briefly = new Registry((path, self) =>
    self.asked.length === 1
      ? { kind: 'rate-limited', retryAfter: '1' }
      : { kind: 'json', body: contactNetwork(path, 'BRIEF-1', 'abuse@briefly.example') },
  );
  readonly paced = new Registry((path) => ({
    kind: 'json',
    body: ipNetwork({
      ...single(path, 'PACED'),
      entities: [entity('PACED-ABUSE', ['abuse'], jcard('Abuse', 'abuse@paced.example'))],
      notices: [{ title: 'Rate Limit Notice', description: ['Rate Limit is maxed at 2 queries per 1 minutes.'] }],
    }),
  }));
  readonly iana = new Registry(() => ({ kind: 'json', body: this.bootstrap }));
  bootstrap: unknown = null;
  offlinePort = 0;

  get #all(): Registry[] {
    return [this.rirA, this.rirB, this.slow, this.limited, this.briefly, this.paced, this.iana];
  }

  async start(): Promise<void> {
    await Promise.all(this.#all.map((r) => r.start()));
    this.offlinePort = await closedPort();
    this.bootstrap = bootstrapFile([
      [['192.0.2.0/24', '198.51.100.0/24'], this.rirA.url],
      // More specific than RIR A's /24: the slow registry answers for the upper half.
      [['192.0.2.128/25'], this.slow.url],
      [['203.0.113.0/24'], this.rirB.url],
      [['198.18.0.0/24'], this.limited.url],
      [['198.18.1.0/24'], this.briefly.url],
      [['198.18.2.0/24'], this.paced.url],
      [['10.0.0.0/8'], `http://127.0.0.1:${this.offlinePort}/`],
      [['2001:db8::/32'], this.rirA.url],
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#all.map((r) => r.stop()));
  }

  /** Forget what each registry was asked, between tests. */
  reset(): void {
    for (const r of this.#all) r.asked.length = 0;
  }

  options(over: Partial<LookupOptions> = {}): LookupOptions {
    return {
      bootstrapUrl: `${this.iana.url}bootstrap.json`,
      timeoutMs: 400,
      deadlineMs: 3000,
      answerMaxAgeMs: 7 * DAY,
      bootstrapMaxAgeMs: 7 * DAY,
      maxRetryWaitMs: 2000,
      ...over,
    };
  }

  #routeA(path: string, self: Registry): Reply {
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
    if (path === '/ip/198.51.100.7') return { kind: 'redirect', location: `${this.rirB.url}ip/198.51.100.7` };
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
            { rel: 'related', href: `${this.rirB.url}ip/198.51.100.9`, type: 'application/rdap+json' },
          ],
        }),
      };
    if (path === '/ip/2001:db8::1')
      return { kind: 'json', body: contactNetwork(path, 'NET6-A', 'abuse6@alpha.example') };
    return { kind: 'json', status: 404, body: { errorCode: 404, title: 'Not Found' } };
  }

  #routeB(path: string): Reply {
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
}

/** A fresh database and RDAP cache for each test. */
export class CacheFixture {
  #dir = '';
  #db: Database.Database | null = null;
  cache: RdapCache | null = null;

  renew(): RdapCache {
    this.close();
    this.#dir = mkdtempSync(join(tmpdir(), 'bansho-rdap-'));
    this.#db = openSqlite(join(this.#dir, 'bansho.db'));
    this.cache = new RdapCache(this.#db);
    return this.cache;
  }

  close(): void {
    this.#db?.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Local registries, started for one describe block, and a fresh RDAP cache (`cache`) for each of its tests. */
export function registriesForSuite(): { readonly reg: TestRegistries; readonly cache: RdapCache } {
  const reg = new TestRegistries();
  const fixture = new CacheFixture();
  const suite = {
    reg,
    get cache(): RdapCache {
      if (fixture.cache === null) throw new Error('no RDAP cache outside a test');
      return fixture.cache;
    },
  };
  before(() => reg.start());
  after(async () => {
    await reg.stop();
    fixture.close();
  });
  beforeEach(() => {
    fixture.renew();
    reg.reset();
  });
  return suite;
}

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
