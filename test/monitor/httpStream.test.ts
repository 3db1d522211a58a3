import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CutRequest } from '../../src/monitor/protocols/http/framed.js';
import { HttpStream } from '../../src/monitor/protocols/http/httpStream.js';

/** What the stream reported: each request's line, the status that answered it and its time. */
function recorder(): {
  seen: string[];
  sink: { request(c: string, r: CutRequest, s: number | null, t: number): void };
} {
  const seen: string[] = [];
  return {
    seen,
    sink: {
      request(conn, r, status, time) {
        const line = Buffer.from(r.raw).toString('latin1').split('\r\n')[0];
        seen.push(`${conn} ${line} → ${status ?? 'none'} @${time}`);
      },
    },
  };
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/**
 * `b` as the framer reads a segment: in place in a capture's chunk, between other records'
 * bytes — which look like HTTP, so that a read past the segment's end would show.
 */
const inChunk = (b: Uint8Array): [Uint8Array, number, number] => {
  const before = Buffer.from('HTTP/1.1 200 OK\r\n\r\n', 'latin1');
  const after = Buffer.from('\r\n\r\nGET /after HTTP/1.1\r\n\r\n', 'latin1');
  const chunk = new Uint8Array(before.length + b.length + after.length);
  chunk.set(before, 0);
  chunk.set(b, before.length);
  chunk.set(after, before.length + b.length);
  return [chunk, before.length, before.length + b.length];
};

describe('HTTP over the in-order streams (httpStream.ts)', () => {
  test('pipelined requests are paired with their responses in order; a 100 Continue answers none', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(true, 16);
    h.bytes(
      0,
      ...inChunk(bytes('GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\n')),
      false,
      1,
      'c1',
      sink,
    );
    assert.deepEqual(seen, [], 'nothing is reported before its answer or the end');
    h.bytes(
      1,
      ...inChunk(bytes('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')),
      false,
      2,
      'c1',
      sink,
    );
    // HEAD's answer has no body though it names a length: the next response starts right after its head.
    h.bytes(1, ...inChunk(bytes('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n')), false, 3, 'c1', sink);
    assert.deepEqual(seen, ['c1 GET /a HTTP/1.1 → 200 @1', 'c1 HEAD /b HTTP/1.1 → 404 @1']);
    assert.deepEqual(
      h.transactions.map((t) => t.status),
      [200, 404],
    );
    assert.equal(h.seen, true);
  });

  test('requests beyond the bound are reported at once without a status; the rest at the end', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(true, 2);
    h.bytes(
      0,
      ...inChunk(bytes('GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n')),
      false,
      5,
      'c',
      sink,
    );
    assert.deepEqual(seen, ['c GET /1 HTTP/1.1 → none @5']);
    h.end(9, 'c', sink);
    assert.deepEqual(seen, [
      'c GET /1 HTTP/1.1 → none @5',
      'c GET /2 HTTP/1.1 → none @5',
      'c GET /3 HTTP/1.1 → none @5',
    ]);
  });

  test('a head cut short by the end is still reported, as malformed', () => {
    const reported: CutRequest[] = [];
    const h = new HttpStream<null>(true, 16);
    h.bytes(0, ...inChunk(bytes('POST /login HTTP/1.1\r\nHost: x\r\n')), false, 1, null, {
      request: (_c, r) => reported.push(r),
    });
    assert.equal(reported.length, 0);
    h.end(2, null, { request: (_c, r) => reported.push(r) });
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.method, 'POST');
    assert.equal(reported[0]?.malformed, 'request head incomplete');
  });

  test('once abandoned (the server spoke first) the client’s lines are no requests', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(false, 16);
    h.abandon();
    h.bytes(0, ...inChunk(bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), false, 1, 'c', sink);
    h.end(2, 'c', sink);
    assert.deepEqual(seen, []);
    assert.equal(h.seen, false);
    assert.deepEqual(h.transactions, []);
  });

  test('a refused CONNECT or an ignored Upgrade leaves the later requests judged; a 101 ends them', () => {
    const { seen, sink } = recorder();
    const refused = new HttpStream<string>(true, 16);
    refused.bytes(0, ...inChunk(bytes('CONNECT h:443 HTTP/1.1\r\n\r\n')), false, 1, 'a', sink);
    refused.bytes(1, ...inChunk(bytes('HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n')), false, 2, 'a', sink);
    refused.bytes(0, ...inChunk(bytes('GET /?id=1%27 HTTP/1.1\r\n\r\n')), false, 3, 'a', sink);
    refused.end(4, 'a', sink);
    const ignored = new HttpStream<string>(false, 16);
    ignored.bytes(0, ...inChunk(bytes('GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n')), false, 1, 'b', sink);
    ignored.bytes(1, ...inChunk(bytes('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')), false, 2, 'b', sink);
    ignored.bytes(0, ...inChunk(bytes('GET /2 HTTP/1.1\r\n\r\n')), false, 3, 'b', sink);
    ignored.end(4, 'b', sink);
    // h2c: after 101 the client sends HTTP/2's preface, whose first line ends in a version.
    const switched = new HttpStream<string>(true, 16);
    switched.bytes(0, ...inChunk(bytes('GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n')), false, 1, 'c', sink);
    switched.bytes(
      1,
      ...inChunk(bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n')),
      false,
      2,
      'c',
      sink,
    );
    switched.bytes(0, ...inChunk(bytes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), false, 3, 'c', sink);
    switched.end(4, 'c', sink);
    assert.deepEqual(seen, [
      'a CONNECT h:443 HTTP/1.1 → 405 @1',
      'a GET /?id=1%27 HTTP/1.1 → none @3',
      'b GET / HTTP/1.1 → 200 @1',
      'b GET /2 HTTP/1.1 → none @3',
      'c GET / HTTP/1.1 → 101 @1',
    ]);
  });

  test('a CONNECT answered 204 opens no tunnel (tshark’s test); after a 200, only a request line with a version is one', () => {
    const { seen, sink } = recorder();
    const refused = new HttpStream<string>(true, 16);
    refused.bytes(0, ...inChunk(bytes('CONNECT h:443 HTTP/1.1\r\n\r\n')), false, 1, 'a', sink);
    refused.bytes(1, ...inChunk(bytes('HTTP/1.1 204 No Content\r\n\r\n')), false, 2, 'a', sink);
    assert.equal(refused.tunnelOpenBefore(0), false);
    refused.bytes(0, ...inChunk(bytes('GET /a HTTP/1.1\r\n\r\n')), false, 3, 'a', sink);
    refused.end(4, 'a', sink);
    const open = new HttpStream<string>(true, 16);
    open.bytes(0, ...inChunk(bytes('CONNECT h:80 HTTP/1.1\r\n\r\n')), false, 1, 'b', sink);
    open.bytes(1, ...inChunk(bytes('HTTP/1.1 200 Connection established\r\n\r\n')), false, 2, 'b', sink);
    assert.equal(open.tunnelOpenBefore(1), false, 'the answer’s own delivery is still HTTP');
    assert.equal(open.tunnelOpenBefore(0), true);
    assert.equal(open.tunnelPort, 80);
    open.bytes(0, ...inChunk(bytes('GET /b HTTP/1.1\r\n\r\n')), false, 3, 'b', sink);
    open.end(4, 'b', sink);
    const tunnel = new HttpStream<string>(true, 16);
    tunnel.bytes(0, ...inChunk(bytes('CONNECT h:443 HTTP/1.1\r\n\r\n')), false, 1, 'c', sink);
    tunnel.bytes(1, ...inChunk(bytes('HTTP/1.1 200 Connection established\r\n\r\n')), false, 2, 'c', sink);
    tunnel.bytes(0, ...inChunk(bytes('\x16\x03\x01\x00\x05GET /c HTTP/1.1\r\n\r\n')), false, 3, 'c', sink);
    tunnel.bytes(0, ...inChunk(bytes('GET /d HTTP/1.1\r\n\r\n')), false, 4, 'c', sink);
    tunnel.end(5, 'c', sink);
    assert.deepEqual(seen, [
      'a CONNECT h:443 HTTP/1.1 → 204 @1',
      'a GET /a HTTP/1.1 → none @3',
      'b CONNECT h:80 HTTP/1.1 → 200 @1',
      'b GET /b HTTP/1.1 → none @3',
      'c CONNECT h:443 HTTP/1.1 → 200 @1',
    ]);
  });

  test('a response to a body read to the close ends at a FIN without data', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(true, 16);
    h.bytes(0, ...inChunk(bytes('GET / HTTP/1.1\r\n\r\n')), false, 1, 'c', sink);
    h.bytes(1, ...inChunk(bytes('HTTP/1.0 200 OK\r\n\r\n<html>')), false, 2, 'c', sink);
    assert.deepEqual(seen, []);
    h.fin(1, 3, 'c', sink);
    assert.deepEqual(seen, ['c GET / HTTP/1.1 → 200 @1']);
  });

  test('a body of known length skips bytes never captured: the next request is cut where it starts', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(false, 16);
    h.bytes(0, ...inChunk(bytes('POST /up HTTP/1.1\r\nContent-Length: 1000\r\n\r\n0123456789')), false, 1, 'c', sink);
    h.skip(0, 980);
    h.bytes(0, ...inChunk(bytes('0123456789GET /?id=1%27 HTTP/1.1\r\n\r\n')), false, 2, 'c', sink);
    // The body ended inside the gap: complete before the next bytes, not cut short at the end.
    h.bytes(0, ...inChunk(bytes('POST /b HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789')), false, 3, 'c', sink);
    h.skip(0, 10);
    h.bytes(0, ...inChunk(bytes('GET /c HTTP/1.1\r\n\r\n')), false, 4, 'c', sink);
    const reported: CutRequest[] = [];
    h.end(5, 'c', {
      request(conn, r, status, time) {
        reported.push(r);
        sink.request(conn, r, status, time);
      },
    });
    assert.deepEqual(seen, [
      'c POST /up HTTP/1.1 → none @2',
      'c GET /?id=1%27 HTTP/1.1 → none @2',
      'c POST /b HTTP/1.1 → none @4',
      'c GET /c HTTP/1.1 → none @4',
    ]);
    assert.deepEqual(
      reported.map((r) => r.malformed),
      [null, null, null, null],
    );
  });

  test('each request is reported with its place among the connection’s reports (the judge’s de-duplication key)', () => {
    const order: string[] = [];
    const sink = {
      request(_conn: string, r: CutRequest, status: number | null, _time: number, index: number) {
        order.push(`${index} ${Buffer.from(r.raw).toString('latin1').split(' ')[1]} ${status ?? 'none'}`);
      },
    };
    const h = new HttpStream<string>(true, 2);
    h.bytes(
      0,
      ...inChunk(bytes('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n')),
      false,
      1,
      'c',
      sink,
    );
    h.bytes(1, ...inChunk(bytes('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')), false, 2, 'c', sink);
    h.end(3, 'c', sink);
    // /a waited longest with two more behind it (at most 2 wait): reported first, unanswered.
    assert.deepEqual(order, ['1 /a none', '2 /b 200', '3 /c none']);
  });

  test('off the HTTP ports, a command that merely starts like a method is no request', () => {
    const { seen, sink } = recorder();
    const h = new HttpStream<string>(false, 16);
    h.bytes(0, ...inChunk(bytes('EHLO mail.example.com\r\n\r\n')), false, 1, 'c', sink);
    h.end(2, 'c', sink);
    assert.deepEqual(seen, []);
  });
});
