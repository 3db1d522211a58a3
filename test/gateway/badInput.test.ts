import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  BAD_REQUEST_HEAD,
  openRaw,
  RecordingUpstream,
  rawRequest,
  startTestGateway,
  storedEvents,
  tempDir,
  testConfig,
  waitFor,
} from './helpers.js';

/** A TLS 1.2 ClientHello's first bytes, as a browser pointed at https:// on the plain port sends. */
const TLS_CLIENT_HELLO = Buffer.from(
  '1603010200010001fc0303' +
    'a1'.repeat(32) +
    '20' +
    'b2'.repeat(32) +
    '0020c02bc02fc02cc030cca9cca8c013c014009c009d002f0035' +
    '0100',
  'hex',
);

describe('bad input', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  const db = `${tmp.dir}/bansho.db`;
  let service: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    const url = await upstream.listen();
    service = await startTestGateway(testConfig(url, db, { headersMs: 400, requestMs: 800, keepAliveMs: 1000 }));
  });
  after(async () => {
    await service.stop();
    await upstream.close();
    tmp.cleanup();
  });

  /** Others are still served after each bad client. */
  async function stillServing(): Promise<void> {
    const ok = await rawRequest(
      service.port,
      '127.0.0.3',
      'GET /still-there HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.ok(ok.response.startsWith('HTTP/1.1 200 OK'), JSON.stringify(ok.response.slice(0, 80)));
  }

  const eventsFrom = (ip: string) => storedEvents(service, db, ip);

  it('refuses oversized headers with 431 and closes', async () => {
    const r = await rawRequest(
      service.port,
      '127.0.0.10',
      `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    assert.ok(
      r.response.startsWith('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n'),
      r.response.slice(0, 80),
    );
    assert.notEqual(r.ending, 'timeout');
    await stillServing();
  });

  it('refuses a 100 kB request line and records it', async () => {
    const r = await rawRequest(
      service.port,
      '127.0.0.11',
      `GET /${'x'.repeat(100_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    );
    assert.match(r.response, /^HTTP\/1\.1 (431|400) /);
    assert.match(r.response, /\r\nConnection: close\r\n/);
    assert.notEqual(r.ending, 'timeout');
    const events = await eventsFrom('127.0.0.11');
    assert.equal(events.length, 1);
    assert.ok((events[0]?.bansho.evidence?.length ?? 0) <= 8192, 'evidence is bounded');
    await stillServing();
  });

  it('closes a client that sends one byte at a time (headers timeout)', async () => {
    const socket = await openRaw(service.port, '127.0.0.12');
    const line = 'GET / HTTP/1.1\r\nHost: localhost\r\n';
    let i = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(line[i++ % line.length] as string);
    }, 100);
    const closed = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => resolve('still open'), 10_000);
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => {});
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('latin1'));
      });
    });
    clearInterval(drip);
    assert.notEqual(closed, 'still open');
    assert.ok(closed === '' || closed.startsWith('HTTP/1.1 408 Request Timeout'), closed);
    await stillServing();
  });

  it('refuses binary garbage with 400, records it, and keeps serving', async () => {
    const r = await rawRequest(service.port, '127.0.0.13', randomBytes(2048));
    assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), JSON.stringify(r.response.slice(0, 80)));
    const events = await waitFor('an event for the garbage', async () => {
      const e = await eventsFrom('127.0.0.13');
      return e.length > 0 ? e : undefined;
    });
    assert.equal(events[0]?.threat?.software?.id, 'malformed-request');
    await stillServing();
  });

  it('refuses a TLS ClientHello on the plain port with 400 and records it', async () => {
    const r = await rawRequest(service.port, '127.0.0.14', TLS_CLIENT_HELLO);
    assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), JSON.stringify(r.response.slice(0, 80)));
    assert.equal(r.ending, 'fin');
    const events = await eventsFrom('127.0.0.14');
    assert.equal(events.length, 1);
    assert.equal(events[0]?.event.action, 'blocked');
    assert.equal(events[0]?.http?.response?.status_code, 400);
    await stillServing();
  });

  it('never forwarded any of it', () => {
    assert.deepEqual(
      upstream.requests.map((r) => r.url),
      upstream.requests.map(() => '/still-there'),
    );
  });
});

describe('clients that vanish mid-answer', () => {
  it('survives CONNECTs and upgrades reset by the client right after sending', async () => {
    const upstream = new RecordingUpstream();
    const tmp = tempDir();
    const service = await startTestGateway(testConfig(await upstream.listen(), `${tmp.dir}/v.db`));
    try {
      const probes = [
        'CONNECT example.net:443 HTTP/1.1\r\nHost: example.net:443\r\n\r\n',
        'GET http://example.net/ HTTP/1.1\r\nHost: example.net\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
      ];
      for (let round = 0; round < 30; round++) {
        await Promise.all(
          probes.map(async (probe, i) => {
            const socket = await openRaw(service.port, `127.0.1.${round * 3 + i + 1}`);
            socket.on('error', () => {});
            socket.write(probe);
            socket.resetAndDestroy();
          }),
        );
      }
      const ok = await rawRequest(
        service.port,
        '127.0.0.3',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.ok(ok.response.startsWith('HTTP/1.1 200'));
    } finally {
      await service.stop();
      await upstream.close();
      tmp.cleanup();
    }
  });
});

describe('fuzzed requests', () => {
  it('answers or closes every mutated request, forwards none of the refused ones, and keeps serving', async () => {
    const upstream = new RecordingUpstream();
    const tmp = tempDir();
    const service = await startTestGateway(
      testConfig(await upstream.listen(), `${tmp.dir}/f.db`, {
        headersMs: 1000,
        requestMs: 2000,
        keepAliveMs: 200,
      }),
    );
    const seeds = [
      'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n',
      'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
      'POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello',
    ];
    try {
      for (let i = 0; i < 150; i++) {
        const seed = Buffer.from(seeds[i % seeds.length] as string, 'latin1');
        const mutated = i % 5 === 4 ? randomBytes(1 + (i % 700)) : mutate(seed);
        const r = await rawRequest(service.port, `127.0.3.${(i % 250) + 1}`, mutated, 5000);
        // Every connection is answered or closed: a request still valid after mutation is served
        // and then kept alive, so only silence *and* an open connection would be a hang.
        assert.ok(
          r.ending !== 'timeout' || r.response !== '',
          `left hanging: ${JSON.stringify(mutated.toString('latin1'))}`,
        );
        if (r.response !== '') assert.match(r.response, /^HTTP\/1\.1 \d{3} /);
      }
      for (const seen of upstream.requests) {
        assert.ok(!seen.url.includes('stealth') && !seen.url.includes('microsoft'), `forwarded ${seen.url}`);
        assert.notEqual(seen.method, 'CONNECT');
      }
      const ok = await rawRequest(
        service.port,
        '127.0.0.3',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.ok(ok.response.startsWith('HTTP/1.1 200'));
    } finally {
      await service.stop();
      await upstream.close();
      tmp.cleanup();
    }
  });
});

/** A few random byte flips, insertions or deletions. */
function mutate(seed: Buffer): Buffer {
  const bytes = [...seed];
  const edits = 1 + Math.floor(Math.random() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(Math.random() * bytes.length);
    const kind = Math.floor(Math.random() * 3);
    if (kind === 0) bytes[at] = Math.floor(Math.random() * 256);
    else if (kind === 1) bytes.splice(at, 0, Math.floor(Math.random() * 256));
    else bytes.splice(at, 1);
  }
  return Buffer.from(bytes);
}
