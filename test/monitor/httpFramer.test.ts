import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CutRequest, Framed, HttpMessage } from '../../src/monitor/protocols/http/framed.js';
import { HttpFramer } from '../../src/monitor/protocols/http/framer.js';

/** The client's framer, as a connection's HTTP stream makes it (`httpPort`: HTTP by port). */
class RequestCutter {
  readonly #framer: HttpFramer;
  readonly methods: string[] = [];

  constructor(httpPort: boolean) {
    this.#framer = new HttpFramer(
      { dir: 0, judged: true, httpPort, logged: false },
      { requestHead: (_dir, method) => this.methods.push(method), takeMethod: () => '' },
    );
  }

  /** What the rule engine is handed from one delivery. */
  push(b: Uint8Array): CutRequest[] {
    return judged(this.#framer.push(b, false));
  }

  end(): CutRequest[] {
    return judged(this.#framer.end());
  }
}

function judged(items: readonly Framed[]): CutRequest[] {
  return items.flatMap((i) => (i.kind === 'message' ? (i.request ? [i] : []) : i.report === null ? [] : [i.report]));
}

/** The server's framer: the statuses it reads, each response framed by the method of its request. */
class ResponseCutter {
  readonly #framer: HttpFramer;

  constructor(takeMethod: () => string | undefined) {
    this.#framer = new HttpFramer(
      { dir: 1, judged: false, httpPort: true, logged: false },
      { requestHead: () => {}, takeMethod: () => takeMethod() ?? '' },
    );
  }

  push(b: Uint8Array): { status: number }[] {
    return statuses(this.#framer.push(b, false));
  }

  end(): { status: number }[] {
    return statuses(this.#framer.end());
  }
}

function statuses(items: readonly Framed[]): { status: number }[] {
  return items.flatMap((i) => (i.kind === 'message' && !i.request ? [{ status: i.status }] : []));
}

const raw = (r: CutRequest): string => Buffer.from(r.raw).toString('latin1');
const feed = (c: RequestCutter, ...parts: string[]): CutRequest[] =>
  parts.flatMap((p) => c.push(Buffer.from(p, 'latin1')));

describe('HTTP framing: requests (the client’s side)', () => {
  test('pipelined requests in one segment come out one by one', () => {
    const c = new RequestCutter(false);
    const out = feed(c, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.deepEqual(out.map(raw), ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /b HTTP/1.1\r\nHost: x\r\n\r\n']);
  });

  test('a Content-Length body split over segments belongs to its request, not to the next', () => {
    const c = new RequestCutter(false);
    const out = feed(c, 'POST /f HTTP/1.1\r\nContent-Length: 10\r\n\r\nname', '=value', 'GET /next HTTP/1.1\r\n\r\n');
    assert.equal(out.length, 2);
    assert.equal(raw(out[0]!), 'POST /f HTTP/1.1\r\nContent-Length: 10\r\n\r\nname=value');
    assert.equal(raw(out[1]!), 'GET /next HTTP/1.1\r\n\r\n');
  });

  test('a chunked body is followed to its last chunk', () => {
    const c = new RequestCutter(false);
    const out = feed(
      c,
      'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab',
      'cd\r\n0\r\n\r\nGET /z HTTP/1.1\r\n\r\n',
    );
    assert.equal(out.length, 2);
    assert.match(raw(out[0]!), /abcd$/);
    assert.equal(raw(out[1]!), 'GET /z HTTP/1.1\r\n\r\n');
  });

  test('off the HTTP ports, commands that only start like a method are some other protocol', () => {
    assert.deepEqual(feed(new RequestCutter(false), 'get session:41\r\n', 'set a 0 0 1\r\nx\r\n'), []);
    const partial = new RequestCutter(false);
    feed(partial, 'EHLO client.example\r\nMAIL FROM:<a@example.net>\r\n');
    assert.deepEqual(partial.end(), [], 'nor when the stream ends inside one');
    const http = new RequestCutter(false);
    assert.deepEqual(
      feed(http, 'GET /a HTTP/1.1\r\n', 'Host: x\r\n\r\nGET /b\r\n\r\n').map(raw),
      ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /b\r\n\r\n'],
      'once a request line with a version was seen, the stream is HTTP',
    );
    const port80 = new RequestCutter(true);
    assert.equal(feed(port80, 'get session:41\r\n\r\n').length, 1, 'on an HTTP port it is reported');
  });

  test('the seed’s four-token CONNECT is cut as it is, and ends the stream (a tunnel would follow)', () => {
    const c = new RequestCutter(false);
    const out = feed(c, 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', 'EHLO x\r\n');
    assert.deepEqual(out.map(raw), ['CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n']);
    assert.equal(out[0]!.method, 'CONNECT');
    assert.deepEqual(c.end(), [], 'the tunnel’s lines are no request, not even when the stream ends inside one');
  });

  test('after a CONNECT or an Upgrade, a request line goes on as HTTP and anything else is the tunnel', () => {
    const connect = new RequestCutter(true);
    const out = feed(connect, 'CONNECT h:443 HTTP/1.1\r\n\r\n', 'GET /?q=1 HTTP/1.1\r\nHost: h\r\n\r\n');
    assert.deepEqual(out.map(raw), ['CONNECT h:443 HTTP/1.1\r\n\r\n', 'GET /?q=1 HTTP/1.1\r\nHost: h\r\n\r\n']);
    const upgrade = new RequestCutter(false);
    const both = feed(upgrade, 'GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
    assert.equal(both.length, 2);
    const tls = new RequestCutter(true);
    assert.equal(feed(tls, 'CONNECT h:443 HTTP/1.1\r\n\r\n', '\x16\x03\x01\x02\x00\x01\x00').length, 1);
    assert.deepEqual(tls.end(), []);
    const ws = new RequestCutter(true);
    assert.equal(feed(ws, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n', '\x81\x85abcd12345').length, 1);
    assert.deepEqual(ws.end(), []);
  });

  test('a head cut short by the end of the stream is still reported', () => {
    const c = new RequestCutter(false);
    assert.deepEqual(feed(c, 'GET /half HTTP/1.1\r\nHost: x\r\n'), []);
    const out = c.end();
    assert.equal(out.length, 1);
    assert.equal(out[0]!.malformed, 'request head incomplete');
  });

  test('what starts no message is skipped to the end of its delivery; the next delivery is read afresh', () => {
    const c = new RequestCutter(true);
    const out = feed(
      c,
      '\x16\x03\x01\x02\x00GET /hidden HTTP/1.1\r\n\r\n',
      'GET /next HTTP/1.1\r\n\r\n',
      '\x00\x01',
      'GET /last HTTP/1.1\r\n\r\n',
    );
    assert.deepEqual(
      out.map((r) => raw(r).split('\r\n')[0]),
      ['\x16\x03\x01\x02\x00GET /hidden HTTP/1.1', 'GET /next HTTP/1.1', 'GET /last HTTP/1.1'],
      'the junk reported once (with the bytes it hid), never scanned for a method; later requests judged',
    );
    assert.equal(out[0]!.method, '');
  });

  test('a chunk size that is not hex ends the body after its trailer: malformed, and framing goes on', () => {
    const c = new RequestCutter(true);
    const out = feed(
      c,
      'POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n\r\nGET /after HTTP/1.1\r\n\r\n',
    );
    assert.deepEqual(
      out.map((r) => [raw(r).split('\r\n')[0], r.malformed]),
      [
        ['POST /u HTTP/1.1', 'invalid chunk size'],
        ['GET /after HTTP/1.1', null],
      ],
    );
    assert.match(raw(out[0]!), /abc$/);
  });

  test('binary noise is ignored, except on an HTTP port where it is reported once', () => {
    assert.deepEqual(feed(new RequestCutter(false), '\x16\x03\x01\x02\x00\x01\x00'), []);
    const onHttpPort = feed(new RequestCutter(true), '\x16\x03\x01\x02\x00\x01\x00', 'more');
    assert.equal(onHttpPort.length, 1);
  });
});

describe('HTTP framing: responses', () => {
  test('statuses come out in order; HEAD responses have no body', () => {
    const methods = ['GET', 'HEAD', 'GET'];
    const c = new ResponseCutter(() => methods.shift());
    const statuses: number[] = [];
    const push = (s: string): void => {
      for (const r of c.push(Buffer.from(s))) statuses.push(r.status);
    };
    push('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab');
    push('cHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n');
    push('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.deepEqual(statuses, [200, 200, 404]);
  });

  test('a response without length runs to the end of the stream', () => {
    const c = new ResponseCutter(() => 'GET');
    assert.deepEqual(c.push(Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\n<html>')), []);
    assert.deepEqual(c.end(), [{ status: 400 }]);
  });
});

describe('HTTP framing: one framer, refilled message after message', () => {
  /** A logging client framer (the log keeps bodies' first bytes too), fed from one chunk refilled in place. */
  const framer = () =>
    new HttpFramer(
      { dir: 0, judged: true, httpPort: true, logged: true },
      { requestHead: () => {}, takeMethod: () => '' },
    );
  const chunk = new Uint8Array(256);
  /** `text` written into the chunk between other bytes, as a capture's record is; its items. */
  const deliver = (f: HttpFramer, text: string): HttpMessage[] => {
    chunk.fill(0x47);
    chunk.set(Buffer.from(text, 'latin1'), 7);
    return f.pushBytes(chunk, 7, 7 + text.length, false).filter((i): i is HttpMessage => i.kind === 'message');
  };
  const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

  test('what a message kept (raw bytes, body prefix) is its own: the next message and the refilled chunk leave it alone', () => {
    const f = framer();
    // A request without a body is complete in its delivery, read in place: its raw bytes are still a copy.
    const [get] = deliver(f, 'GET /g HTTP/1.1\r\n\r\n');
    const [first] = deliver(f, 'POST /a HTTP/1.1\r\nContent-Length: 4\r\n\r\nAAAA');
    const [second] = deliver(f, 'POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nBBBB');
    assert.ok(get && first && second);
    assert.equal(latin1(get.raw), 'GET /g HTTP/1.1\r\n\r\n');
    assert.equal(latin1(first.raw), 'POST /a HTTP/1.1\r\nContent-Length: 4\r\n\r\nAAAA');
    assert.equal(latin1(first.body.kept), 'AAAA');
    assert.equal(first.body.length, 4);
    assert.equal(latin1(second.raw), 'POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nBBBB');
    assert.equal(latin1(second.body.kept), 'BBBB');
  });

  test('a body under way across deliveries keeps its head and prefix while the chunk is refilled', () => {
    const f = framer();
    assert.deepEqual(deliver(f, 'POST /c HTTP/1.1\r\nContent-Length: 6\r\n\r\nCC'), []);
    const [done] = deliver(f, 'CCCC');
    assert.ok(done);
    assert.equal(latin1(done.raw), 'POST /c HTTP/1.1\r\nContent-Length: 6\r\n\r\nCCCCCC');
    assert.equal(done.body.length, 6);
  });

  test('a body reader refilled for each message: a chunked body, then one by length, then none', () => {
    const f = framer();
    const items = deliver(
      f,
      'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'POST /y HTTP/1.1\r\nContent-Length: 2\r\n\r\nde' +
        'GET /z HTTP/1.1\r\n\r\n',
    );
    assert.deepEqual(
      items.map((m) => [m.firstLine, m.body.length, latin1(m.body.kept), m.malformed]),
      [
        ['POST /x HTTP/1.1', 3, 'abc', null],
        ['POST /y HTTP/1.1', 2, 'de', null],
        ['GET /z HTTP/1.1', 0, '', null],
      ],
    );
    assert.equal(f.stage, 'idle');
  });
});
