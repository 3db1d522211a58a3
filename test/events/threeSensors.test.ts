/**
 * One request seen by the three sensors — the gateway inline, `analyze` in an access log, the
 * monitor on the wire — reaches the store as events that agree on everything the request
 * carries, because each sensor hands its Observation and the engine's findings to the same
 * `toEvent`. Real parts throughout: a gateway on a socket, a log file, a capture's frames, and
 * SQLite stores read back.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { toEvent } from '../../src/events/toEvent.js';
import { analyzeFiles } from '../../src/logs/run.js';
import { ownFrame } from '../../src/monitor/capture/frame.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { HttpObservation } from '../../src/observe/observation.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { rawRequest, startTestGateway, storedEvents, testConfig, upstreamForSuite } from '../gateway/helpers.js';
import { combinedLine } from '../logs/fixtures.js';
import { tcpConversation } from '../monitor/helpers/tcpConversation.js';

const CLIENT = '127.0.0.45';
const LINE = 'GET /cgi-bin/../../../../etc/passwd HTTP/1.1';
const AGENT = 'sqlmap/1.7.2#stable (https://sqlmap.org)';
const TIME = Date.UTC(2026, 0, 5, 10, 0, 0);

const engine = loadEngine();
const catalog = loadCatalog();
const threatName = (id: string) => catalog.get(id)?.name;

/** What an event says of the request, whichever sensor saw it and whatever it did about it. */
function requestFacts(e: SecurityEvent | undefined) {
  assert.ok(e, 'an event was stored');
  return {
    source: e.source.ip,
    message: e.message.replace(/^\w+: /, ''),
    severity: e.event.severity,
    rule: e.rule,
    threat: e.threat,
    score: e.bansho.score,
    matches: e.bansho.matches,
    method: e.http?.request?.method,
    version: e.http?.version,
    url: e.url,
    userAgent: e.user_agent,
  };
}

async function readBack(db: string): Promise<SecurityEvent[]> {
  const store = new SqliteEventStore(db);
  try {
    return await store.query({ sourceIp: CLIENT });
  } finally {
    await store.close();
  }
}

describe('one request, three sensors, one event builder', () => {
  const site = upstreamForSuite('bansho-three-sensors-');

  // The request as every sensor reads it: its line and its User-Agent (all an access log keeps).
  const observation: HttpObservation = {
    kind: 'http',
    transport: 'tcp',
    sensor: 'logs',
    time: TIME,
    source: { ip: CLIENT, port: 0 },
    destination: { ip: '', port: 0 },
    request: buildHttpRequest({ line: LINE, headers: [['user-agent', AGENT]] }),
    status: 400,
  };
  const findings = engine.match(observation);
  const expected = requestFacts(
    toEvent(findings, { seen: 'observation', observation, action: 'detected', sensor: 'logs', threatName }),
  );

  it('the request is a threat to the engine, named from the catalog', () => {
    assert.ok(findings.length >= 2, 'traversal and the scanner are both found');
    assert.equal(expected.threat?.software?.name, threatName(expected.threat?.software?.id ?? ''));
  });

  it('the gateway, inline: refused, and stored as toEvent makes it', async () => {
    const db = join(site.dir, 'gateway.db');
    const service = await startTestGateway(testConfig(site.url, db));
    try {
      const reply = await rawRequest(
        service.port,
        CLIENT,
        `${LINE}\r\nHost: 127.0.0.1\r\nUser-Agent: ${AGENT}\r\n\r\n`,
      );
      assert.match(reply.response, /^HTTP\/1\.1 400 /);
      const [event] = await storedEvents(service, db, CLIENT);
      assert.equal(event?.bansho.sensor, 'gateway');
      assert.match(event?.event.action ?? '', /^(blocked|banned)$/);
      assert.deepEqual(requestFacts(event), expected);
    } finally {
      await service.stop();
    }
    assert.equal(site.upstream.requests.length, 0, 'nothing reached the site');
  });

  it('analyze, from an access log: stored as toEvent makes it, the line its evidence', async () => {
    const log = join(site.dir, 'access.log');
    const line = combinedLine(CLIENT, TIME, LINE, 400, 226, AGENT);
    writeFileSync(log, `${line}\n`);
    const db = join(site.dir, 'logs.db');
    const store = new SqliteEventStore(db);
    await analyzeFiles([log], { engine, threatName, behaviours: builtInBehaviours() }, (events) =>
      store.appendEncodedSync(events),
    );
    await store.close();
    const [event] = await readBack(db);
    assert.equal(event?.bansho.sensor, 'logs');
    assert.equal(event?.event.action, 'detected');
    assert.equal(event?.bansho.evidence, line);
    assert.deepEqual(event?.bansho.origin, { file: log, line: 1 });
    assert.deepEqual(requestFacts(event), expected);
  });

  it('the monitor, from the wire: stored as toEvent makes it', async () => {
    const db = join(site.dir, 'monitor.db');
    const events: SecurityEvent[] = [];
    const judge = inThreadJudge({
      behaviours: builtInBehaviours(),
      engine,
      threatName,
      allFlows: false,
      onEvent: (e) => events.push(e),
    });
    const monitor = new Monitor({ judge, log: false });
    const frames = tcpConversation(
      { client: CLIENT, server: '127.0.0.1', clientPort: 51000, serverPort: 80, serverTtl: 64 },
      [
        ['c', Buffer.from(`${LINE}\r\nHost: 127.0.0.1\r\nUser-Agent: ${AGENT}\r\n\r\n`, 'latin1')],
        ['s', Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'latin1')],
      ],
    );
    for (const [i, data] of frames.entries()) {
      monitor.frame(
        ownFrame({
          number: i + 1,
          offset: 0,
          seconds: TIME / 1000,
          fraction: i,
          precision: 6,
          linkType: 1,
          originalLength: data.length,
          data: Uint8Array.from(data),
        }),
      );
    }
    monitor.end();
    const store = new SqliteEventStore(db);
    store.appendSync(events);
    await store.close();
    const stored = (await readBack(db)).filter((e) => e.event.action === 'detected');
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.bansho.sensor, 'monitor');
    assert.deepEqual(requestFacts(stored[0]), expected);
  });
});
