import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadEngine } from '../../../src/catalog/index.js';
import { DEFAULT_TIMEOUTS } from '../../../src/config/index.js';
import { SourceScores } from '../../../src/defense/sourceScores.js';
import { refusalFor } from '../../../src/gateway/refusal.js';
import { RequestPipeline } from '../../../src/gateway/requestPipeline.js';
import { buildHttpRequest } from '../../../src/observe/httpRequest.js';
import type { HttpObservation } from '../../../src/observe/observation.js';
import { gatewayForSuite, ipv4Addresses, proxyV2 } from '../helpers.js';

const engine = loadEngine({ lists: { site_names: ['localhost'] } });
const site = { names: new Set(['localhost', '127.0.0.1']), ports: new Set([80, 443, 8000]), allowTrace: false };
const latin1 = (maxLength: number) => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b).toString('latin1'));

function observe(line: string, headers: Array<[string, string]>, body: string): HttpObservation {
  return {
    kind: 'http',
    transport: 'tcp',
    time: 1_700_000_000_000,
    sensor: 'gateway',
    source: { ip: '203.0.113.9', port: 4000 },
    destination: { ip: '127.0.0.1', port: 8000 },
    request: buildHttpRequest({ line, headers, bodyPrefix: body }),
    status: null,
  };
}

describe('the request pipeline on hostile requests (no sockets)', () => {
  it('never throws, never forwards what the gateway refuses, never forwards proxy use', () => {
    const pipeline = new RequestPipeline(() => engine, new SourceScores(), {
      blockScore: null,
      onEngineError: 'block',
      engineFailed: () => assert.fail('the engine failed'),
    });
    const method = fc.constantFrom('GET', 'POST', 'CONNECT', 'OPTIONS', 'TRACE', 'get', 'X', '');
    const target = fc.oneof(
      latin1(80),
      fc.constantFrom(
        '*',
        '/',
        'http://evil.example:25/',
        'http://localhost:25/',
        'http://localhost/',
        'mail.example:25',
      ),
      latin1(40).map((t) => `http://${t}/`),
    );
    const header = fc.tuple(
      fc.constantFrom('host', 'content-length', 'transfer-encoding', 'x-forwarded-for', 'cookie', 'x'),
      latin1(60),
    );
    fc.assert(
      fc.property(method, target, fc.array(header, { maxLength: 8 }), latin1(200), (m, t, headers, body) => {
        const observation = observe(`${m} ${t} HTTP/1.1`, headers, body);
        const refusal = refusalFor(observation.request, site, headers);
        const decision = pipeline.decide(observation, refusal);
        if (refusal !== null) assert.equal(decision.kind, 'refuse');
        const r = observation.request;
        if (r.method.toUpperCase() === 'CONNECT' || r.form === 'authority' || r.form === 'malformed')
          assert.equal(decision.kind, 'refuse', r.line);
        if (r.form === 'absolute' && !site.names.has(r.authority?.host ?? '')) assert.equal(decision.kind, 'refuse');
        for (const match of decision.matches) assert.ok(match.value.length <= 4096);
      }),
      { numRuns: 500 },
    );
  });
});

/** Send `bytes` on a new connection from `localAddress`; resolve when the gateway has closed it. */
function sendAndWaitClose(port: number, localAddress: string, bytes: Uint8Array): Promise<'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    const timer = setTimeout(() => reject(new Error('the gateway kept a hostile connection open')), 5000);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('connect', () => socket.end(Buffer.from(bytes)));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

describe('the accept guard on hostile byte streams (a live gateway behind a PROXY-protocol balancer)', () => {
  const suite = gatewayForSuite(
    { proxyProtocol: true, timeouts: { ...DEFAULT_TIMEOUTS, headersMs: 1000 } },
    { trusted_proxies: ['127.0.0.1/32'] },
  );

  it('closes every connection, crashes on none, and still serves afterwards', async () => {
    const v1 = fc
      .tuple(latin1(60), latin1(100))
      .map(([header, rest]) => Buffer.from(`PROXY ${header}\r\n${rest}`, 'latin1'));
    const v2 = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }), latin1(100))
      .map(([family, addresses, rest]) => proxyV2(1, family, Buffer.from(addresses), Buffer.from(rest, 'latin1')));
    const noise = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(fc.oneof(v1, v2, noise), async (bytes) => {
        assert.equal(await sendAndWaitClose(suite.service.port, '127.0.0.1', bytes), 'closed');
      }),
      { numRuns: 60 },
    );
    const good = proxyV2(
      1,
      0x11,
      ipv4Addresses('198.51.100.77', '127.0.0.1', 4000, 80),
      Buffer.from('GET /after-fuzz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    );
    await sendAndWaitClose(suite.service.port, '127.0.0.1', good);
    assert.ok(suite.upstream.requests.some((q) => q.url === '/after-fuzz'));
  });
});
