import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { EXIT_ALLOWLISTED } from '../../src/cli/bans.js';
import { RecordingUpstream, rawRequest, startTestGateway, tempDir, testConfig, waitFor } from '../gateway/helpers.js';
import { bansho } from './run.js';

const SOURCE = '127.0.0.20';
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

describe('bansho bans against a running gateway', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  const db = `${tmp.dir}/bansho.db`;
  let service: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    service = await startTestGateway(testConfig(await upstream.listen(), db));
  });
  after(async () => {
    await service.stop();
    await upstream.close();
    tmp.cleanup();
  });

  it('add drops the source within the poll interval; remove serves it again', async () => {
    const before = await rawRequest(service.port, SOURCE, GET);
    assert.ok(before.response.startsWith('HTTP/1.1 200'), before.response.slice(0, 40));

    const added = await bansho(['bans', 'add', SOURCE, '--for', '10m', '--db', db]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /banned 127\.0\.0\.20\/32 for 10m/);

    await waitFor('the gateway to drop the banned source', async () => {
      const r = await rawRequest(service.port, SOURCE, GET, 2000);
      return r.response === '' ? true : undefined;
    });

    const listed = await bansho(['bans', 'list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /127\.0\.0\.20\/32 .* manual/);

    const exported = await bansho(['bans', 'export', '--nft', '--port', '8000', '--db', db]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /elements = \{ 127\.0\.0\.20 timeout \d+s \}/);

    const removed = await bansho(['bans', 'remove', SOURCE, '--db', db]);
    assert.equal(removed.code, 0, removed.stderr);
    await waitFor('the gateway to serve the source again', async () => {
      const r = await rawRequest(service.port, SOURCE, GET, 2000);
      return r.response.startsWith('HTTP/1.1 200') ? true : undefined;
    });

    const again = await bansho(['bans', 'remove', SOURCE, '--db', db]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /no ban on/);
  });

  it('refuses to ban what the config allowlists or trusts, unless --force', async () => {
    const config = `${tmp.dir}/site.yaml`;
    writeFileSync(
      config,
      'upstream: http://127.0.0.1:8080\nallowlist: [192.0.2.0/24, 2001:db8:9:9::10]\ntrusted_proxies: [127.0.0.9]\n',
    );
    const cases = [
      ['192.0.2.77', /192\.0\.2\.77\/32 not banned: it touches 192\.0\.2\.0\/24 in allowlist of /],
      ['2001:db8:9:9::1', /2001:db8:9:9::\/64 not banned: it touches 2001:db8:9:9::10\/128 in allowlist/],
      ['127.0.0.9', /127\.0\.0\.9\/32 not banned: it touches 127\.0\.0\.9\/32 in trusted_proxies/],
      ['192.0.0.0/16', /192\.0\.0\.0\/16 not banned: it touches 192\.0\.2\.0\/24 in allowlist/],
    ] as const;
    for (const [ip, message] of cases) {
      const r = await bansho(['bans', 'add', ip, '--config', config, '--db', db]);
      assert.equal(r.code, EXIT_ALLOWLISTED, ip);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /--force bans it anyway/);
    }
    const listed = await bansho(['bans', 'list', '--json', '--db', db]);
    assert.equal(listed.stdout, '', 'nothing was banned');
    const forced = await bansho(['bans', 'add', '192.0.2.77', '--config', config, '--force', '--db', db]);
    assert.equal(forced.code, 0, forced.stderr);
    const other = await bansho(['bans', 'add', '198.51.100.7', '--config', config, '--db', db]);
    assert.equal(other.code, 0, other.stderr);
    await bansho(['bans', 'remove', '192.0.2.77', '--db', db]);
    await bansho(['bans', 'remove', '198.51.100.7', '--db', db]);
  });

  it('rejects a bad address with a clear message and no stack trace', async () => {
    const r = await bansho(['bans', 'add', 'not-an-ip', '--db', db]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not an IP address: not-an-ip/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
