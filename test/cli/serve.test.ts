import assert from 'node:assert/strict';

import { copyFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { rawRequest, tlsFixture, tlsRequest, upstreamForSuite, waitFor } from '../gateway/helpers.js';
import { bansho, listeningPort, startBansho } from './run.js';

describe('bansho serve', () => {
  const site = upstreamForSuite();

  it('refuses a broken config naming the key, exits non-zero, no stack trace', async () => {
    const file = `${site.dir}/broken.yaml`;
    writeFileSync(file, `upstream: ${site.url}\nbans:\n  first: soon\n`);
    const r = await bansho(['serve', '--config', file, '--db', `${site.dir}/x.db`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bans\.first \(line 3\): invalid duration "soon"/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('refuses a missing upstream', async () => {
    const r = await bansho(['serve', '--db', `${site.dir}/x.db`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no upstream/);
  });

  it('serves, writes JSON lines with --events -, and stops gracefully on SIGTERM', async () => {
    const { child, output, exited } = startBansho(site.serveArgs('serve.db', '--events', '-'));
    let port = 0;
    try {
      port = await waitFor('the gateway to listen', () => listeningPort(output.stderr), 15_000);
      const ok = await rawRequest(port, '127.0.0.30', 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assert.ok(ok.response.startsWith('HTTP/1.1 200'));
      const refused = await rawRequest(port, '127.0.0.31', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n');
      assert.ok(refused.response.startsWith('HTTP/1.1 400 Bad Request'));
      const line = await waitFor('an event line on output.stdout', () =>
        output.stdout.split('\n').find((l) => l.includes('127.0.0.31')),
      );
      const event = JSON.parse(line) as { event: { action: string }; threat?: { software?: { id: string } } };
      assert.equal(event.event.action, 'banned');
      assert.equal(event.threat?.software?.id, 'prettypark');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
    assert.match(output.stderr, /SIGTERM: draining/);
  });

  it('serves HTTPS from the config, and takes a renewed certificate on SIGHUP', async () => {
    const cert = `${site.dir}/live.crt`;
    const key = `${site.dir}/live.key`;
    copyFileSync(tlsFixture('site.crt'), cert);
    copyFileSync(tlsFixture('site.key'), key);
    const file = `${site.dir}/tls.yaml`;
    writeFileSync(
      file,
      `upstream: ${site.url}\nlisten: 127.0.0.1:0\ntls: { listen: 127.0.0.1:0, cert: ${cert}, key: ${key} }\n`,
    );
    const { child, output, exited } = startBansho([
      'serve',
      '--workers',
      '1',
      '--config',
      file,
      '--db',
      `${site.dir}/tls.db`,
    ]);
    try {
      const port = await waitFor(
        'the HTTPS listener',
        () => /and https:\/\/127\.0\.0\.1:(\d+)/.exec(output.stderr)?.[1],
        15_000,
      );
      const ask = () => tlsRequest(Number(port), '127.0.0.32', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
      const first = await ask();
      assert.equal(first.subject, 'bansho test site');
      assert.match(first.response, /^HTTP\/1\.1 200 /);
      copyFileSync(tlsFixture('renewed.crt'), cert);
      copyFileSync(tlsFixture('renewed.key'), key);
      child.kill('SIGHUP');
      await waitFor('the renewed certificate', async () => {
        const r = await ask();
        return r.subject === 'bansho test renewed' ? r : undefined;
      });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });
});
