import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RecordingUpstream, rawRequest, startTestGateway, tempDir, testConfig, waitFor } from './helpers.js';

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

describe('reverse proxy plumbing', () => {
  const upstream = new RecordingUpstream();
  const tmp = tempDir();
  let service: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    service = await startTestGateway(testConfig(await upstream.listen(), `${tmp.dir}/p.db`));
  });
  after(async () => {
    await service.stop();
    await upstream.close();
    tmp.cleanup();
  });

  it('drops hop-by-hop headers, including those named in Connection, and sets the forwarding headers', async () => {
    const r = await rawRequest(
      service.port,
      '127.0.0.40',
      'GET /hop HTTP/1.1\r\nHost: localhost\r\nConnection: close, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nX-Forwarded-For: 198.51.100.1\r\nVia: 1.0 edge\r\nX-Kept: yes\r\n\r\n',
    );
    assert.ok(r.response.startsWith('HTTP/1.1 200'), r.response.slice(0, 60));
    assert.match(r.response, /\r\nvia: 1\.1 bansho\r\n/i);
    const seen = upstream.requests.find((q) => q.url === '/hop');
    assert.ok(seen);
    assert.equal(seen.headers['x-secret'], undefined);
    assert.equal(seen.headers['keep-alive'], undefined);
    assert.equal(seen.headers.te, undefined);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.headers['x-kept'], 'yes');
    assert.equal(seen.headers['x-forwarded-for'], '198.51.100.1, 127.0.0.40');
    assert.equal(seen.headers.via, '1.0 edge, 1.1 bansho');
    assert.equal(seen.headers.host, 'localhost');
  });

  it('forwards an absolute-form request for the site itself as origin-form, to the upstream only', async () => {
    const r = await rawRequest(
      service.port,
      '127.0.0.41',
      'GET http://localhost/own?x=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.ok(r.response.startsWith('HTTP/1.1 200'), r.response.slice(0, 60));
    assert.ok(upstream.requests.some((q) => q.url === '/own?x=1'));
  });

  it('bans a source whose low-grade offences add up within the window', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await rawRequest(service.port, '127.0.0.42', `GET /x${i}\r\n\r\n`);
      assert.ok(
        r.response.startsWith('HTTP/1.1 400 Bad Request'),
        `offence ${i}: ${JSON.stringify(r.response.slice(0, 40))}`,
      );
    }
    await waitFor('the source to be banned', () => (service.gateway.bans.isBanned('127.0.0.42') ? true : undefined));
    const after = await rawRequest(service.port, '127.0.0.42', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal(after.response, '');
  });
});

describe('upstream failures and shutdown', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('answers 502 with a short page when the upstream is down', async () => {
    const gone = createServer();
    const url = await listen(gone);
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const service = await startTestGateway(testConfig(url, `${tmp.dir}/a.db`));
    try {
      const r = await rawRequest(
        service.port,
        '127.0.0.50',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.match(r.response, /^HTTP\/1\.1 502 Bad Gateway\r\n[\s\S]*<h1>502 Bad Gateway<\/h1>/);
    } finally {
      await service.stop();
    }
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const slow = createServer(() => {});
    const url = await listen(slow);
    const service = await startTestGateway(testConfig(url, `${tmp.dir}/b.db`, { upstreamHeadersMs: 300 }));
    try {
      const r = await rawRequest(
        service.port,
        '127.0.0.51',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.match(r.response, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    } finally {
      await service.stop();
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('lets a request in flight finish on shutdown, then stops accepting', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow = createServer((_req, res) => {
      arrived();
      void held.then(() => res.end('finished\n'));
    });
    const url = await listen(slow);
    const service = await startTestGateway(testConfig(url, `${tmp.dir}/c.db`));
    const inFlight = rawRequest(
      service.port,
      '127.0.0.52',
      'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    await arrival;
    const stopping = service.stop();
    release();
    const r = await inFlight;
    await stopping;
    assert.match(r.response, /^HTTP\/1\.1 200 OK[\s\S]*finished/);
    const refused = await rawRequest(service.port, '127.0.0.52', 'GET / HTTP/1.1\r\n\r\n', 1000);
    assert.equal(refused.response, '');
    slow.close();
  });
});

describe('never a stepping stone', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('connects to nothing but the upstream, whatever host a refused request names', async () => {
    // A bystander on another loopback address: the host the attacker asks the gateway to reach.
    let bystanderConnections = 0;
    const bystander = createServer((_req, res) => res.end('relayed!'));
    bystander.on('connection', () => {
      bystanderConnections++;
    });
    await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.9', () => resolve()));
    const port = (bystander.address() as AddressInfo).port;
    const upstream = new RecordingUpstream();
    const service = await startTestGateway(testConfig(await upstream.listen(), `${tmp.dir}/s.db`));
    try {
      const probes = [
        `GET http://127.0.0.9:${port}/ HTTP/1.1\r\nHost: 127.0.0.9:${port}\r\n\r\n`,
        `CONNECT 127.0.0.9:${port} HTTP/1.1\r\nHost: 127.0.0.9:${port}\r\n\r\n`,
        `CONNECT 127.0.0.9:${port} / HTTP/1.0\r\n\r\n`,
        `GET http://127.0.0.9:${port}/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ];
      for (const [i, probe] of probes.entries()) {
        const r = await rawRequest(service.port, `127.0.0.${60 + i}`, probe);
        assert.ok(
          r.response.startsWith('HTTP/1.1 400 Bad Request\r\n'),
          `${i}: ${JSON.stringify(r.response.slice(0, 40))}`,
        );
      }
      assert.equal(bystanderConnections, 0);
      assert.equal(upstream.connections, 0);
    } finally {
      await service.stop();
      await upstream.close();
      bystander.close();
    }
  });
});

describe('IPv6 sources', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('bans an IPv6 source by its /64 and serves IPv6 clients otherwise', async (t) => {
    const probe = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => resolve(true));
    });
    probe.close();
    if (!ok) return t.skip('no IPv6 loopback here');
    const upstream = new RecordingUpstream();
    const base = testConfig(await upstream.listen(), `${tmp.dir}/v6.db`);
    const service = await startTestGateway({ ...base, listen: { host: '::1', port: 0 } });
    const send = (bytes: string) =>
      new Promise<string>((resolve) => {
        const s = connect({ host: '::1', port: service.port, localAddress: '::1' });
        const chunks: Buffer[] = [];
        s.on('connect', () => s.write(bytes));
        s.on('data', (d: Buffer) => chunks.push(d));
        s.on('error', () => {});
        s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      });
    try {
      assert.ok(
        (await send('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).startsWith('HTTP/1.1 200'),
      );
      assert.ok(
        (await send('CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n')).startsWith('HTTP/1.1 400 Bad Request'),
      );
      assert.equal(await send('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), '');
      assert.equal(service.gateway.bans.isBanned('0:0:0:0:ffff:ffff:ffff:1'), true, 'the whole /64 is banned');
    } finally {
      await service.stop();
      await upstream.close();
    }
  });
});
