import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAD_REQUEST_HEAD, exchange, gatewayForSuite, openRaw, rawRequest, storedEvents, waitFor } from '../helpers.js';

const SQLI = "user=admin' UNION SELECT password FROM users--";

describe('attack: skipping the judge with Expect', () => {
  const suite = gatewayForSuite();

  it('an unknown expectation on a proxy probe is judged (400, event), not answered 417 by node', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.1',
      'GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nExpect: bansho-please\r\n\r\n',
    );
    assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), r.response.slice(0, 80));
    const events = await waitFor('the event', async () => {
      const e = await storedEvents(suite.service, suite.db, '127.0.7.1');
      return e.length > 0 ? e : undefined;
    });
    assert.equal(events[0]?.threat?.software?.id, 'open-proxy-probe');
  });

  it('an unknown expectation on a clean request gets 417 from the gateway, and nothing is forwarded', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.2',
      'GET /expecting HTTP/1.1\r\nHost: localhost\r\nExpect: x\r\n\r\n',
    );
    assert.match(r.response, /^HTTP\/1\.1 417 Expectation Failed\r\n/);
    assert.ok(!suite.upstream.requests.some((q) => q.url === '/expecting'));
  });

  it('100-continue on a proxy probe gets the 400 and never a 100 Continue', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.3',
      'POST http://evil.example:25/ HTTP/1.1\r\nHost: evil.example:25\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), r.response.slice(0, 80));
    assert.doesNotMatch(r.response, /100 Continue/);
  });

  it('100-continue on a clean POST: 100, then the site gets the body', async () => {
    const socket = await openRaw(suite.service.port, '127.0.7.4');
    const done = exchange(
      socket,
      'POST /hash HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('hello');
    const r = await done;
    assert.match(r.response, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    assert.match(r.response, /2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 5\n$/);
  });

  it('an attack in a 100-continue body is refused after the body', async () => {
    const socket = await openRaw(suite.service.port, '127.0.7.5');
    const done = exchange(
      socket,
      `POST /login HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${SQLI.length}\r\n\r\n`,
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(SQLI);
    const r = await done;
    assert.match(r.response, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(!suite.upstream.requests.some((q) => q.url === '/login'));
  });
});

describe('attack: pipelining past a refusal', () => {
  const suite = gatewayForSuite();

  it('answers in order, and nothing after the refusal is forwarded', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.10',
      'GET /slow?ms=300 HTTP/1.1\r\nHost: localhost\r\n\r\n' +
        'GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n' +
        'GET /third HTTP/1.1\r\nHost: localhost\r\n\r\n',
    );
    const first = r.response.indexOf('HTTP/1.1 200 OK');
    const refusal = r.response.indexOf(BAD_REQUEST_HEAD);
    assert.ok(first === 0 && refusal > first, r.response);
    assert.match(r.response, /GET \/slow\?ms=300/);
    assert.equal(r.response.split('HTTP/1.1 ').length - 1, 2, 'two answers, no third');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!suite.upstream.requests.some((q) => q.url === '/third'), '/third was forwarded');
  });

  it('a CONNECT pipelined behind a slow request waits for its answer, then gets the 400', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.11',
      'GET /slow?ms=300 HTTP/1.1\r\nHost: localhost\r\n\r\nCONNECT mail.example:25 HTTP/1.1\r\nHost: mail.example:25\r\n\r\n',
    );
    assert.ok(r.response.startsWith('HTTP/1.1 200 OK'), r.response.slice(0, 60));
    assert.ok(r.response.indexOf(BAD_REQUEST_HEAD) > 0, r.response);
  });
});

describe('attack: forwarding what was not judged', () => {
  const suite = gatewayForSuite();

  it('refuses more header fields than the rules see (431), forwarding nothing', async () => {
    let head = 'GET /many HTTP/1.1\r\nHost: localhost\r\n';
    for (let i = 0; i < 100; i++) head += `X-Pad-${i}: ${i}\r\n`;
    const r = await rawRequest(suite.service.port, '127.0.7.20', `${head}X-Attack: () { :; }; /bin/id\r\n\r\n`);
    assert.match(r.response, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.ok(!suite.upstream.requests.some((q) => q.url === '/many'));
  });

  it('refuses a header value longer than the rules see (431)', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.21',
      `GET /long HTTP/1.1\r\nHost: localhost\r\nX-Long: ${'a'.repeat(8200)}\r\n\r\n`,
    );
    assert.match(r.response, /^HTTP\/1\.1 431 /);
    assert.ok(!suite.upstream.requests.some((q) => q.url === '/long'));
  });

  for (const [type, body] of [
    ['application/x-www-form-urlencoded', SQLI],
    ['application/json', `{"user": "admin' UNION SELECT password FROM users--"}`],
    [
      'multipart/form-data; boundary=XyZ',
      `--XyZ\r\nContent-Disposition: form-data; name="user"\r\n\r\nadmin' UNION SELECT password FROM users--\r\n--XyZ--\r\n`,
    ],
  ] as const) {
    it(`judges a ${type.split(';')[0]} body before forwarding it`, async () => {
      const r = await rawRequest(
        suite.service.port,
        '127.0.7.22',
        `POST /body-${type.length} HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), r.response.slice(0, 80));
      assert.ok(!suite.upstream.requests.some((q) => q.url === `/body-${type.length}`));
    });
  }

  it('sees a body attack 40 KiB in, and streams a large clean upload whole', async () => {
    const late = `${'a'.repeat(40_000)}&${SQLI}`;
    const refused = await rawRequest(
      suite.service.port,
      '127.0.7.23',
      `POST /late HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${late.length}\r\n\r\n${late}`,
    );
    assert.ok(refused.response.startsWith(BAD_REQUEST_HEAD), refused.response.slice(0, 80));
    const upload = Buffer.alloc(1_000_000, 0x62);
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.24',
      Buffer.concat([
        Buffer.from(
          `POST /hash HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: ${upload.length}\r\n\r\n`,
        ),
        upload,
      ]),
    );
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.response, / 1000000\n$/);
  });

  it('removes Forwarded, X-Real-IP and X-Forwarded-Host that a client wrote itself', async () => {
    await rawRequest(
      suite.service.port,
      '127.0.7.25',
      'GET /claims HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nForwarded: for=10.0.0.1;host=evil.example\r\nX-Real-IP: 10.0.0.1\r\nX-Forwarded-Host: evil.example\r\n\r\n',
    );
    const seen = suite.upstream.requests.find((q) => q.url === '/claims');
    assert.ok(seen);
    assert.equal(seen.headers.forwarded, undefined);
    assert.equal(seen.headers['x-real-ip'], undefined);
    assert.equal(seen.headers['x-forwarded-host'], undefined);
  });

  it('a site name on another port is not the site: GET http://localhost:25/ is proxy abuse', async () => {
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.26',
      'GET http://localhost:25/ HTTP/1.1\r\nHost: localhost:25\r\n\r\n',
    );
    assert.ok(r.response.startsWith(BAD_REQUEST_HEAD), r.response.slice(0, 80));
  });

  it('an absolute-form request for the site on its own port goes on, with Host from the target', async () => {
    const port = suite.service.port;
    const r = await rawRequest(
      suite.service.port,
      '127.0.7.27',
      `GET http://localhost:${port}/own-port HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n`,
    );
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(suite.upstream.requests.find((q) => q.url === '/own-port')?.headers.host, `localhost:${port}`);
  });

  it('refuses TRACE (405), and answers OPTIONS * itself without an event', async () => {
    const trace = await rawRequest(suite.service.port, '127.0.7.28', 'TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.match(trace.response, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    const options = await rawRequest(
      suite.service.port,
      '127.0.7.29',
      'OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    assert.match(options.response, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.match(options.response, /\r\nallow: /i);
    await suite.service.gateway.events.flush();
    assert.deepEqual(await storedEvents(suite.service, suite.db, '127.0.7.29'), []);
  });
});

describe('attack: doubling a score with Expect: 100-continue', () => {
  // Behaviours record but do not ban here: the source's running score alone decides.
  const suite = gatewayForSuite({ behaviourBans: false });
  // Logged and forwarded, with a low score: only after several does the sum reach the threshold.
  const SCORED = 'POST /xmlrpc.php HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n';

  /** Send the scored POST from `ip` until a request is refused; how many were answered before. */
  async function requestsUntilRefused(ip: string, expect: boolean): Promise<number> {
    for (let sent = 0; sent < 20; sent++) {
      const socket = await openRaw(suite.service.port, ip);
      const done = exchange(socket, `${SCORED}${expect ? 'Expect: 100-continue\r\n' : ''}Content-Length: 5\r\n\r\n`);
      if (expect) await new Promise<void>((resolve) => socket.once('data', resolve).once('close', resolve));
      socket.write('hello');
      const r = await done;
      if (!/HTTP\/1\.1 200 OK/.test(r.response)) return sent;
    }
    return 20;
  }

  it('a request that waits for 100 Continue is scored once, like any other', async () => {
    const plain = await requestsUntilRefused('127.0.7.20', false);
    assert.ok(plain > 1 && plain < 20, `the plain source was refused after ${plain} scored request(s)`);
    assert.equal(await requestsUntilRefused('127.0.7.21', true), plain);
  });
});
