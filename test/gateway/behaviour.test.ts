import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConfigFile } from '../../src/config/index.js';
import { rawRequest, startTestGateway, storedEvents, tempDir, testConfig } from './helpers.js';

/** A site with one page: everything else is 404, and /admin/ wants a password it never accepts. */
function site(): Server {
  return createServer((req, res) => {
    const status = req.url === '/' ? 200 : req.url?.startsWith('/admin/') ? 401 : 404;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
}

/** A gateway in front of `site()` for a describe block, started before its tests and stopped after. */
function gatewayInFrontOfSite(file: ConfigFile = {}) {
  const upstream = site();
  const tmp = tempDir();
  const g = { db: `${tmp.dir}/b.db`, service: null as unknown as Awaited<ReturnType<typeof startTestGateway>> };
  before(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    g.service = await startTestGateway(testConfig(`http://127.0.0.1:${port}`, g.db, {}, file));
  });
  after(async () => {
    await g.service.stop();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    tmp.cleanup();
  });
  return g;
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

describe('the gateway bans on behaviour, from the upstream answers', () => {
  const g = gatewayInFrontOfSite();
  const events = (ip: string) => storedEvents(g.service, g.db, ip);

  it('answers a path scanner until its eleventh missing path, then drops it', async () => {
    const ip = '127.0.0.120';
    for (let i = 0; i < 11; i++) {
      const r = await rawRequest(g.service.port, ip, get(`/old/page${i}.html`));
      assert.ok(r.response.startsWith('HTTP/1.1 404'), `request ${i} answered by the site: ${r.response.slice(0, 40)}`);
    }
    const after = await rawRequest(g.service.port, ip, get('/'));
    assert.equal(after.response, '', 'banned: the next connection gets nothing');
    const banned = (await events(ip)).filter((e) => e.event.action === 'banned');
    assert.equal(banned.length, 1);
    assert.equal(banned[0]?.threat?.software?.id, 'web-path-probing');
    assert.equal(banned[0]?.rule?.id, 'behaviour-path-probing');
    assert.equal(banned[0]?.http?.response?.status_code, 404);
    assert.match(banned[0]?.bansho.ban?.reason ?? '', /path probing/);
  });

  it('bans a password guesser after six 401s, and leaves a visitor with a few broken links alone', async () => {
    const guesser = '127.0.0.121';
    for (let i = 0; i < 6; i++) await rawRequest(g.service.port, guesser, get('/admin/'));
    assert.equal((await rawRequest(g.service.port, guesser, get('/'))).response, '');
    const banned = (await events(guesser)).filter((e) => e.event.action === 'banned');
    assert.deepEqual(
      banned.map((e) => e.threat?.software?.id),
      ['http-auth-brute-force'],
    );

    const visitor = '127.0.0.122';
    for (const path of ['/', '/old-page', '/', '/favicon.ico', '/style.css', '/logo.png', '/', '/gone']) {
      const r = await rawRequest(g.service.port, visitor, get(path));
      assert.match(r.response, /^HTTP\/1\.1 (200|404)/, path);
    }
    assert.equal((await events(visitor)).length, 0);
  });
});

describe('with behaviour_bans: false, findings are recorded and nobody is banned', () => {
  const g = gatewayInFrontOfSite({ behaviour_bans: false });

  it('an API client retrying a refused token keeps being answered', async () => {
    const ip = '127.0.0.123';
    for (let i = 0; i < 8; i++) await rawRequest(g.service.port, ip, get('/admin/'));
    assert.match((await rawRequest(g.service.port, ip, get('/'))).response, /^HTTP\/1\.1 200/);
    assert.deepEqual(
      (await storedEvents(g.service, g.db, ip)).map((e) => `${e.event.action} ${e.threat?.software?.id}`),
      ['detected http-auth-brute-force'],
    );
  });
});

describe("a site's own behaviour limits", () => {
  // As the config file's `behaviours:` section gives them (read: durations in ms).
  const g = gatewayInFrontOfSite({
    behaviours: { 'path-probing': { capacity: 15, leak_speed: 60_000 }, 'auth-failures': false },
  });

  it('answers fifteen missing paths, bans at the sixteenth, and counts no 401s', async () => {
    const ip = '127.0.0.124';
    for (let i = 0; i < 15; i++) {
      const r = await rawRequest(g.service.port, ip, get(`/old/page${i}.html`));
      assert.ok(r.response.startsWith('HTTP/1.1 404'), `request ${i}: ${r.response.slice(0, 40)}`);
    }
    assert.match((await rawRequest(g.service.port, ip, get('/'))).response, /^HTTP\/1\.1 200/, 'fifteen are allowed');
    await rawRequest(g.service.port, ip, get('/old/page15.html'));
    assert.equal((await rawRequest(g.service.port, ip, get('/'))).response, '', 'the sixteenth bans');

    const client = '127.0.0.125';
    for (let i = 0; i < 10; i++) await rawRequest(g.service.port, client, get('/admin/'));
    assert.match((await rawRequest(g.service.port, client, get('/'))).response, /^HTTP\/1\.1 200/);
    assert.deepEqual(await storedEvents(g.service, g.db, client), [], 'auth failures are not counted');
  });
});
