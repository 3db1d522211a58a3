import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { RecordingUpstream, rawRequest, startTestGateway, tempDir, testConfig, waitFor } from './helpers.js';

const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

describe('escalation and allowlist through the gateway', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  const db = `${tmp.dir}/e.db`;
  let service: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    service = await startTestGateway(testConfig(await upstream.listen(), db, {}, { allowlist: ['127.0.0.96/31'] }));
  });
  after(async () => {
    await service.stop();
    await upstream.close();
    tmp.cleanup();
  });

  async function banEvents(ip: string) {
    await service.gateway.events.flush();
    const store = new SqliteEventStore(db);
    try {
      return (await store.query({ sourceIp: ip, actions: ['banned'] })).map((e) => e.bansho.ban);
    } finally {
      await store.close();
    }
  }

  it('a returning offender is banned twice as long', async () => {
    const ip = '127.0.0.90';
    assert.ok((await rawRequest(service.port, ip, CONNECT)).response.startsWith('HTTP/1.1 400'));
    const bans = new SqliteBanStore(db);
    await waitFor('the first ban to be stored', () => (bans.activeSync(Date.now()).length > 0 ? true : undefined));
    bans.removeSync(`${ip}/32`);
    await bans.close();
    await waitFor('the gateway to let the source in again', async () =>
      (await rawRequest(service.port, ip, GET, 2000)).response.startsWith('HTTP/1.1 200') ? true : undefined,
    );
    assert.ok((await rawRequest(service.port, ip, CONNECT)).response.startsWith('HTTP/1.1 400'));
    const events = await banEvents(ip);
    assert.deepEqual(
      events.map((b) => [b?.offence, b?.duration_s]),
      [
        [1, 3600],
        [2, 7200],
      ],
    );
  });

  it('never bans an allowlisted source, but still refuses its proxy abuse', async () => {
    for (const ip of ['127.0.0.96', '127.0.0.97']) {
      for (let i = 0; i < 3; i++) {
        const r = await rawRequest(service.port, ip, CONNECT);
        assert.ok(r.response.startsWith('HTTP/1.1 400 Bad Request'), `${ip} #${i}`);
      }
      assert.ok((await rawRequest(service.port, ip, GET)).response.startsWith('HTTP/1.1 200'));
      assert.deepEqual(await banEvents(ip), []);
    }
  });
});
