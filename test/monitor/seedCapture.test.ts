import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { SqliteEventStore } from '../../src/store/index.js';
import { createTestDatabase, pgSkip } from '../store/pgTestDb.js';
import {
  ATTACKER,
  bansho,
  captureUnavailable,
  lines,
  SEED_CONNECT,
  SEED_GET,
  sendAndClose,
  startTcpdump,
} from './helpers/live.js';
import { tempDir, tsharkLines } from './helpers/run.js';

/**
 * The seed's incident on the wire: a real node:http site on loopback, tcpdump writing a pcap,
 * the seed's exact bytes from 127.0.0.2 (the absolute-form GET, then the four-token CONNECT,
 * repeated). `bansho monitor -r` must print what `tshark -r` prints, line for line, and name
 * the CONNECT `prettypark` with the same rules the gateway uses.
 */
const unavailable = captureUnavailable();
const SITE = '127.0.0.41';

describe('seed capture on loopback', { skip: unavailable ?? false }, () => {
  const tmp = tempDir();
  const pcapFile = join(tmp.dir, 'seed.pcap');
  const db = join(tmp.dir, 'bansho.db');
  let server: Server;
  let port = 80;

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', connection: 'close' });
      res.end('<html><body>the site top page</body></html>\n');
    });
    // Apache's answer to the seed's CONNECT: 400 and close.
    server.on('connect', (_req, socket) => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    // Port 80 where we may bind it (tshark then dissects HTTP by port, as on the seed's server).
    port = await listen(server, SITE, 80).catch(() => listen(server, SITE, 0));
    const tcpdump = await startTcpdump(pcapFile, `tcp port ${port} and host ${SITE}`, SITE);
    try {
      await sendAndClose(SITE, port, ATTACKER, SEED_GET);
      for (let i = 0; i < 3; i++) await sendAndClose(SITE, port, ATTACKER, SEED_CONNECT);
    } finally {
      await tcpdump.stop();
    }
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.cleanup();
  });

  test('bansho monitor -r prints the same lines as tshark -r', async () => {
    const ours = await bansho(['monitor', '-r', pcapFile, '--db', db]);
    assert.equal(ours.code, 0, ours.stderr);
    const theirs = tsharkLines(pcapFile);
    // Four connections; how many packets each takes (a FIN on its own or with the data, a
    // delayed ACK) is the kernel's timing, so count handshakes, not lines.
    const syns = theirs.filter((l) => / \[SYN\] Seq=0 /.test(l));
    assert.equal(syns.length, 4, `expected four connections, tshark shows:\n${theirs.join('\n')}`);
    assert.deepEqual(lines(ours.stdout), theirs);
    assert.ok(theirs.some((l) => l.includes(' HTTP ') && l.endsWith('CONNECT maila.microsoft.com:25 / HTTP/1.0 ')));
    assert.match(ours.stderr, /prettypark ×4/);
  });

  test('the requests are named prettypark in the store, with the status the site answered', async () => {
    const store = new SqliteEventStore(db);
    try {
      const detected = await store.query({ sourceIp: ATTACKER, actions: ['detected'] });
      assert.equal(detected.length, 4);
      assert.ok(detected.every((e) => e.threat?.software?.id === 'prettypark' && e.bansho.sensor === 'monitor'));
      const connects = detected.filter((e) => e.bansho.evidence === 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
      assert.equal(connects.length, 3);
      assert.ok(connects.every((e) => e.http?.response?.status_code === 400));
      const flows = await store.query({ sourceIp: ATTACKER, actions: ['flow'] });
      assert.equal(flows.length, 4, 'a flow summary for each connection with a detection');
      assert.ok(flows.every((e) => e.bansho.flow?.conn_state === 'SF' && e.bansho.flow?.service === 'http'));
    } finally {
      await store.close();
    }
  });

  test('running the same capture again adds no duplicate events', async () => {
    const again = await bansho(['monitor', '-r', pcapFile, '--db', db, '--no-log']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '');
    const store = new SqliteEventStore(db);
    try {
      assert.equal(await store.count({ sourceIp: ATTACKER }), 8);
    } finally {
      await store.close();
    }
  });

  test('--store postgres://… ships the events to the fleet database, the file being its journal', {
    skip: pgSkip,
  }, async () => {
    const fleet = await createTestDatabase();
    try {
      const run = await bansho([
        'monitor',
        '-r',
        pcapFile,
        '--db',
        join(tmp.dir, 'journal.db'),
        '--store',
        fleet.url,
        '--no-log',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const client = new pg.Client({ connectionString: fleet.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM events WHERE source_ip = $1', [ATTACKER]);
        assert.equal(rows[0].n, 8, 'the same 8 events as in the SQLite store');
      } finally {
        await client.end();
      }
    } finally {
      await fleet.drop();
    }
  });

  test('--source prints that source’s packets, both directions, as tshark -Y ip.addr== does', async () => {
    const ours = await bansho(['monitor', '-r', pcapFile, '--source', ATTACKER, '--no-store']);
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(lines(ours.stdout), tsharkLines(pcapFile, `ip.addr==${ATTACKER}`));
    const none = await bansho(['monitor', '-r', pcapFile, '--source', '192.0.2.1', '--no-store']);
    assert.equal(none.stdout, '');
  });

  test('--db with --source and no capture prints the stored evidence, packets included', async () => {
    const ours = await bansho(['monitor', '--db', db, '--source', ATTACKER]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.match(
      ours.stdout,
      /detected {2}prettypark {2}127\.0\.0\.2:\d+ → 127\.0\.0\.41:\d+ {2}CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0 \[400\]/,
    );
    const theirs = tsharkLines(pcapFile);
    const connectLine = theirs.find((l) => l.endsWith('CONNECT maila.microsoft.com:25 / HTTP/1.0 ')) as string;
    assert.ok(ours.stdout.includes(connectLine), 'the packet-log line of the CONNECT is kept as evidence');
  });
});

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
