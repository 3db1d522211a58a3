import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { UpstreamWaits, type Wait, type Waiter } from '../../src/gateway/upstreamWaits.js';
import { rawRequest, startTestGateway, tempDir, testConfig } from './helpers.js';

function waiter(wait: Wait, since: number, fired: string[], name: string): Waiter {
  return {
    wait,
    waitingSince: since,
    previousWaiter: null,
    nextWaiter: null,
    timedOut: (w) => fired.push(`${name}:${w}`),
  };
}

describe('upstream waits: the head and body limits kept by one sweep', () => {
  it('fails each request past the limit of what it waits for, once, and no other', () => {
    const waits = new UpstreamWaits({ headMs: 100, bodyMs: 1000 });
    const fired: string[] = [];
    const head = waiter('head', 0, fired, 'head');
    const body = waiter('body', 0, fired, 'body');
    const sending = waiter('nothing', 0, fired, 'sending');
    const fresh = waiter('head', 50, fired, 'fresh');
    for (const w of [head, body, sending, fresh]) waits.add(w);
    waits.sweep(99);
    assert.deepEqual(fired, []);
    waits.sweep(100);
    assert.deepEqual(fired, ['head:head']);
    waits.sweep(150);
    assert.deepEqual(fired, ['head:head', 'fresh:head']);
    // The body's limit is its own (1000 ms), and a request still being sent is not timed.
    waits.sweep(999);
    assert.equal(fired.length, 2);
    waits.sweep(1000);
    assert.deepEqual(fired, ['head:head', 'fresh:head', 'body:body']);
    assert.equal(waits.size, 1);
    waits.sweep(1_000_000);
    assert.equal(fired.length, 3);
    waits.stop();
  });

  it('forgets a settled request wherever it is in the list, and a request never listed', () => {
    const waits = new UpstreamWaits({ headMs: 10, bodyMs: 10 });
    const fired: string[] = [];
    const ws = ['a', 'b', 'c', 'd'].map((n) => waiter('head', 0, fired, n));
    for (const w of ws) waits.add(w);
    const [a, b, c, d] = ws as [Waiter, Waiter, Waiter, Waiter];
    waits.remove(b);
    waits.remove(d);
    waits.remove(b);
    waits.remove(waiter('head', 0, fired, 'stranger'));
    assert.equal(waits.size, 2);
    waits.sweep(10);
    assert.deepEqual(fired.sort(), ['a:head', 'c:head']);
    assert.equal(waits.size, 0);
    assert.equal(a.nextWaiter, null);
    assert.equal(c.previousWaiter, null);
    waits.stop();
  });

  it('cuts an answer whose body stalls past upstream_body, through a real gateway', async () => {
    const tmp = tempDir();
    // Head and a first chunk, then nothing more (the stalled upstream).
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('first chunk;');
    });
    const url = await new Promise<string>((resolve) =>
      stalled.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${((stalled as Server).address() as AddressInfo).port}`),
      ),
    );
    const service = await startTestGateway(testConfig(url, `${tmp.dir}/w.db`, { upstreamBodyMs: 300 }));
    try {
      const r = await rawRequest(service.port, '127.0.0.52', 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nfirst chunk;$/);
      assert.notEqual(r.ending, 'timeout');
      assert.equal(service.gateway.stats.upstreamErrors, 1);
    } finally {
      await service.stop();
      stalled.closeAllConnections();
      stalled.close();
      tmp.cleanup();
    }
  });
});
