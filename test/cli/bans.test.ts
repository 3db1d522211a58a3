import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

  it('rejects a bad address with a clear message and no stack trace', async () => {
    const r = await bansho(['bans', 'add', 'not-an-ip', '--db', db]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not an IP address: not-an-ip/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
