import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveGatewayConfig } from '../../src/config/index.js';
import { startGatewayService } from '../../src/gateway/service.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { ATTACKER, bansho, captureUnavailable, lines, SEED_CONNECT, SEED_GET, startTcpdump } from './helpers/live.js';
import { tempDir, tsharkLines } from './helpers/run.js';

/**
 * The seed replayed through the real gateway (400 and close, then the ban at accept) while
 * tcpdump records it: the monitor's packet log must still equal tshark's, and it must name the
 * CONNECT `prettypark` from the wire alone.
 */
const unavailable = captureUnavailable();
const GATEWAY_HOST = '127.0.0.42';

describe('seed replay through the gateway, seen by the monitor', { skip: unavailable ?? false }, () => {
  const tmp = tempDir();
  const pcapFile = join(tmp.dir, 'gateway.pcap');
  const monitorDb = join(tmp.dir, 'monitor.db');
  let upstream: Server;

  before(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': 5 });
      res.end('site\n');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const config = resolveGatewayConfig(
      {},
      { upstream: upstreamUrl, listen: `${GATEWAY_HOST}:0`, db: join(tmp.dir, 'gw.db') },
    );
    const service = await startGatewayService(config, { log: () => {} });
    const port = service.gateway.address().port;
    const tcpdump = await startTcpdump(pcapFile, `tcp port ${port} and host ${GATEWAY_HOST}`, GATEWAY_HOST);
    try {
      // Both connections open before either request is judged, as a bot with connections ahead.
      const first = await open(port);
      const second = await open(port);
      await sendOn(first, SEED_GET);
      await sendOn(second, SEED_CONNECT);
      for (let i = 0; i < 2; i++) await sendOn(await open(port).catch(() => null), SEED_CONNECT);
    } finally {
      await tcpdump.stop();
      await service.stop();
    }
  });
  after(async () => {
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    tmp.cleanup();
  });

  test('bansho monitor -r equals tshark -r on the gateway capture', async () => {
    const ours = await bansho(['monitor', '-r', pcapFile, '--db', monitorDb]);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = tsharkLines(pcapFile);
    assert.ok(
      theirs.some((l) => l.includes('HTTP/1.1 400 Bad Request')),
      'the gateway answered 400',
    );
    assert.deepEqual(lines(ours.stdout), theirs);
  });

  test('the monitor names the CONNECT prettypark from the wire, with the gateway’s 400', async () => {
    const store = new SqliteEventStore(monitorDb);
    try {
      const detected = await store.query({ sourceIp: ATTACKER, actions: ['detected'] });
      const connect = detected.find((e) => e.bansho.evidence === 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
      assert.ok(connect, 'CONNECT detected');
      assert.equal(connect.threat?.software?.id, 'prettypark');
      assert.equal(connect.http?.response?.status_code, 400);
    } finally {
      await store.close();
    }
  });
});

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: GATEWAY_HOST, port, localAddress: ATTACKER });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Send and wait until the gateway closes the connection (FIN or reset alike). */
function sendOn(socket: Socket | null, bytes: string): Promise<void> {
  if (!socket) return Promise.resolve();
  return new Promise((resolve) => {
    socket.on('data', () => {});
    socket.on('end', () => socket.end());
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.write(bytes);
  });
}
