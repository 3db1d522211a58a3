import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { rawRequest, tempDir, waitFor } from '../gateway/helpers.js';
import { bansho, startBansho } from './run.js';

describe('bansho demo', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('serves the demo site through the gateway, and its replay shows the seed: two 400s, then silence', async () => {
    const { child, output, exited } = startBansho(['demo', '--listen', '127.0.0.1:0', '--db', `${tmp.dir}/demo.db`]);
    try {
      const port = await waitFor(
        'the demo to print its URL',
        () => {
          const m = /through bansho:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(output.stdout);
          return m ? Number(m[1]) : undefined;
        },
        15_000,
      );
      assert.match(
        output.stdout,
        /printf 'CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0\\r\\n\\r\\n' \| nc -s 127\.0\.0\.2 127\.0\.0\.1 \d+/,
      );
      assert.match(output.stdout, /npx bansho demo replay --target 127\.0\.0\.1:\d+ --from 127\.0\.0\.2/);
      assert.match(output.stdout, /npx bansho bans list --db /);
      const home = await rawRequest(
        port,
        '127.0.0.1',
        'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.match(home.response, /^HTTP\/1\.1 200 OK[\s\S]*Server administration room/);
      const replay = await bansho(['demo', 'replay', '--target', `127.0.0.1:${port}`, '--from', '127.0.0.2']);
      assert.equal(replay.code, 0, replay.stderr);
      const steps = replay.stdout.split('\n').filter((l) => l.includes('→'));
      assert.equal(steps.length, 4, replay.stdout);
      assert.match(
        steps[0] ?? '',
        /^ *GET http:\/\/irc\.stealth\.net:5558\/ HTTP\/1\.1 +→ answered "HTTP\/1\.1 400 Bad Request", then closed \(FIN\)$/,
      );
      assert.match(
        steps[1] ?? '',
        /^ *CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0 +→ answered "HTTP\/1\.1 400 Bad Request", then closed \(FIN\)$/,
      );
      for (const later of steps.slice(2)) assert.match(later, /→ closed without an answer/);
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
        /banned\s+127\.0\.0\.2 — PrettyPark.*CONNECT maila\.microsoft\.com:25/.test(output.stdout) ? true : undefined,
      );
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, output.stderr);
  });
});
