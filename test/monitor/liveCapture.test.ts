import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { droppedByKernel, LiveCaptureError, startLiveCapture } from '../../src/monitor/capture/live.js';
import { ATTACKER, captureUnavailable, lines, SEED_CONNECT, sendAndClose, waitForOutput } from './helpers/live.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const unavailable = captureUnavailable();
const SITE = '127.0.0.43';

describe('live capture errors', () => {
  test('a missing tcpdump is a clear error, not a crash', async () => {
    const capture = startLiveCapture({ iface: 'lo', tcpdump: '/nonexistent/tcpdump' }, () => {});
    await assert.rejects(capture.done, (err: unknown) => {
      assert.ok(err instanceof LiveCaptureError);
      assert.equal(err.code, 'E_TCPDUMP_MISSING');
      assert.match(err.message, /tcpdump not found/);
      return true;
    });
  });

  test('an unknown interface is named in the error', { skip: unavailable ?? false }, async () => {
    const capture = startLiveCapture({ iface: 'bansho-no-such-if0' }, () => {});
    await assert.rejects(capture.done, (err: unknown) => {
      assert.ok(err instanceof LiveCaptureError);
      assert.equal(err.code, 'E_CAPTURE_INTERFACE');
      return true;
    });
  });
});

describe('bansho monitor -i lo', { skip: unavailable ?? false }, () => {
  let server: Server;
  let port = 0;

  before(async () => {
    server = createServer((_req, res) => res.end('ok\n'));
    server.on('connect', (_req, socket) => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, SITE, () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('logs the seed CONNECT live, names it, and stops cleanly on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'monitor',
        '-i',
        'lo',
        '--filter',
        `tcp port ${port} and host ${SITE}`,
        '--no-store',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const listening = waitForOutput(child, /capturing on lo/, 15_000);
    let stderr = await listening;
    child.stderr.on('data', (d: string) => (stderr += d));
    await sendAndClose(SITE, port, ATTACKER, SEED_CONNECT);
    // Wait (bounded) until the CONNECT line has come through the pipe, then interrupt.
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('CONNECT maila.microsoft.com:25 / HTTP/1.0') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, stderr);
    const log = lines(stdout);
    assert.ok(
      log.some((l) => / HTTP \d+ CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0 $/.test(l)),
      stdout,
    );
    assert.ok(
      log.some((l) => l.includes('[SYN]')),
      'the handshake is logged',
    );
    assert.match(stderr, /prettypark ×1/);
    assert.doesNotMatch(stderr, /dropped/, 'nothing dropped with the default buffer');
  });
});

describe('tcpdump exit statistics', () => {
  test('the kernel drop count is read from what tcpdump prints on exit', () => {
    const exit = '2 packets captured\n34 packets received by filter\n17 packets dropped by kernel\n';
    assert.equal(droppedByKernel(`tcpdump: listening on lo, link-type EN10MB\n${exit}`), 17);
    assert.equal(droppedByKernel('1 packet captured\n1 packet received by filter\n1 packet dropped by kernel\n'), 1);
    assert.equal(droppedByKernel(exit.replace('17', '0')), 0);
    assert.equal(droppedByKernel('tcpdump: listening on lo\n'), 0, 'killed before its statistics: none counted');
  });
});
