import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { rawRequest, tempDir, waitFor } from '../gateway/helpers.js';
import { ROOT } from './run.js';

describe('bansho demo', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('serves the demo site through the gateway, prints the replay, and refuses the seed probe', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `${ROOT}src/cli/main.ts`, 'demo', '--listen', '127.0.0.1:0', '--db', `${tmp.dir}/demo.db`],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const port = await waitFor(
        'the demo to print its URL',
        () => {
          const m = /through bansho:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
          return m ? Number(m[1]) : undefined;
        },
        15_000,
      );
      assert.match(
        stdout,
        /printf 'CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0\\r\\n\\r\\n' \| nc -s 127\.0\.0\.2 127\.0\.0\.1 \d+/,
      );
      assert.match(stdout, /bansho bans list --db /);
      const home = await rawRequest(
        port,
        '127.0.0.1',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.match(home.response, /^HTTP\/1\.1 200 OK[\s\S]*Server administration room/);
      const probe = await rawRequest(
        port,
        '127.0.0.2',
        'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n',
      );
      assert.ok(probe.response.startsWith('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n'));
      const echo = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        ws.on('open', () => ws.send('x'.repeat(70_000)));
        ws.on('message', (data) => {
          ws.close();
          resolve(String(data));
        });
        ws.on('error', reject);
      });
      assert.equal(echo, 'x'.repeat(70_000), 'the WebSocket echo answers through the gateway');
      await waitFor('the ban to be printed', () =>
        /banned\s+127\.0\.0\.2 — PrettyPark/.test(stdout) ? true : undefined,
      );
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, stderr);
  });
});
