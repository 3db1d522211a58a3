import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../../src/config/index.js';
import {
  tlsFixture as fixture,
  gatewayForSuite,
  rawRequest,
  startTestGateway,
  storedEvents,
  testConfig,
  tlsRequest,
  upstreamForSuite,
} from './helpers.js';

const tlsOn = (certFile: string, keyFile: string): NonNullable<GatewayConfig['tls']> => ({
  listen: { host: '127.0.0.1', port: 0 },
  certFile,
  keyFile,
});

describe('the HTTPS listener (config tls)', () => {
  const s = gatewayForSuite({ tls: tlsOn(fixture('site.crt'), fixture('site.key')) });

  it('serves the site over TLS with its certificate, telling the site the request came by https', async () => {
    const r = await tlsRequest(
      s.tlsPort,
      '127.0.0.60',
      'GET /over-tls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.equal(r.subject, 'bansho test site');
    assert.match(r.response, /^HTTP\/1\.1 200 /);
    assert.match(r.response, /the real site/);
    const seen = s.upstream.requests.find((q) => q.url === '/over-tls');
    assert.equal(seen?.headers['x-forwarded-proto'], 'https');
    await rawRequest(
      s.service.port,
      '127.0.0.60',
      'GET /over-plain HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.equal(s.upstream.requests.find((q) => q.url === '/over-plain')?.headers['x-forwarded-proto'], 'http');
  });

  it("refuses the seed's CONNECT over TLS, bans its source, and drops it at accept on both listeners", async () => {
    const worm = '127.0.0.61';
    const r = await tlsRequest(s.tlsPort, worm, 'CONNECT maila.microsoft.com:25 HTTP/1.0\r\n\r\n');
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n/);
    const events = await storedEvents(s.service, s.db, worm);
    assert.deepEqual(
      events.map((e) => `${e.event.action} ${e.destination?.port}`),
      [`banned ${s.tlsPort}`],
    );
    const again = await tlsRequest(s.tlsPort, worm, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.deepEqual(again, { response: '', subject: null }, 'reset before the handshake');
    assert.equal(
      (await rawRequest(s.service.port, worm, 'GET / HTTP/1.1\r\n\r\n')).response,
      '',
      'and on the plain one',
    );
  });
});

describe('the TLS certificate', () => {
  const site = upstreamForSuite();

  it('is read again on reload (a renewal); an unusable file leaves the old one in force', async () => {
    const cert = `${site.dir}/live.crt`;
    const key = `${site.dir}/live.key`;
    copyFileSync(fixture('site.crt'), cert);
    copyFileSync(fixture('site.key'), key);
    const g = await startTestGateway({ ...testConfig(site.url, `${site.dir}/r.db`), tls: tlsOn(cert, key) });
    try {
      const port = Number(new URL(g.gateway.tlsUrl() as string).port);
      const subject = async () =>
        (await tlsRequest(port, '127.0.0.62', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n')).subject;
      assert.equal(await subject(), 'bansho test site');
      copyFileSync(fixture('renewed.crt'), cert);
      copyFileSync(fixture('renewed.key'), key);
      assert.deepEqual(g.gateway.reloadTls(), { ok: true });
      assert.equal(await subject(), 'bansho test renewed');
      writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n');
      const broken = g.gateway.reloadTls();
      assert.equal(broken.ok, false);
      assert.match(broken.ok ? '' : broken.error.message, /cannot use the TLS certificate/);
      assert.equal(await subject(), 'bansho test renewed', 'the old certificate stays');
    } finally {
      await g.stop();
    }
  });

  it('that cannot be read or does not fit its key, or a port taken, stops the start with the reason', async () => {
    const config = testConfig(site.url, `${site.dir}/s.db`);
    await assert.rejects(
      startTestGateway({ ...config, tls: tlsOn(`${site.dir}/missing.crt`, fixture('site.key')) }),
      /cannot read the TLS certificate .*missing\.crt: ENOENT/,
    );
    await assert.rejects(
      startTestGateway({ ...config, tls: tlsOn(fixture('site.crt'), fixture('renewed.key')) }),
      /cannot use the TLS certificate .*site\.crt with key .*renewed\.key/,
    );
    const taken = new URL(site.url).port;
    await assert.rejects(
      startTestGateway({
        ...config,
        tls: { ...tlsOn(fixture('site.crt'), fixture('site.key')), listen: { host: '127.0.0.1', port: Number(taken) } },
      }),
      new RegExp(
        `cannot listen on 127\\.0\\.0\\.1:${taken}: the address is in use \\(choose another with tls\\.listen`,
      ),
    );
  });
});
