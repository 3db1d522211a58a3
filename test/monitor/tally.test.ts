import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { inThreadJudge, Monitor, type MonitorStats } from '../../src/monitor/monitor.js';
import { FLAGS, feedRawIp, httpExchangePackets, ipv4, tcp } from './helpers/packets.js';

const engine = loadEngine();
const SERVER = '203.0.113.10';

/** An HTTP exchange on its own connection: the request `line` and a `status` answer. */
const exchange = (client: string, port: number, line: string, status: number): number[][] =>
  httpExchangePackets({
    client,
    server: SERVER,
    clientPort: port,
    request: `${line}\r\nHost: www.example.com\r\n\r\n`,
    response: `HTTP/1.1 ${status} Whatever\r\nContent-Length: 0\r\n\r\n`,
  });

/**
 * Detections of every kind the judge reports: rule matches on HTTP requests (the seed's
 * CONNECT, an SQL injection), a behaviour over answered requests (path probing), a network
 * detector's alert (a SYN scan).
 */
const PACKETS: number[][] = [
  ...exchange('198.51.100.7', 40000, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400),
  ...exchange('198.51.100.8', 40001, "GET /item?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1", 200),
  ...Array.from({ length: 11 }, (_, i) =>
    exchange('198.51.100.9', 41000 + i, `GET /missing${i}.php HTTP/1.1`, 404),
  ).flat(),
  ...Array.from({ length: 30 }, (_, i) =>
    ipv4(
      { src: '198.51.100.10', dst: SERVER, proto: 6 },
      tcp({ sport: 42000, dport: 1000 + i, seq: 1, flags: FLAGS.SYN }),
    ),
  ),
];

function run(tallied: boolean): { events: SecurityEvent[]; tally: string[]; stats: MonitorStats } {
  const events: SecurityEvent[] = [];
  const tally: string[] = [];
  const judge = inThreadJudge({
    behaviours: builtInBehaviours(),
    engine,
    allFlows: false,
    onEvent: (e) => events.push(e),
    ...(tallied ? { tally: (threatId: string) => tally.push(threatId) } : {}),
  });
  const monitor = new Monitor({ judge, log: false });
  feedRawIp(monitor, PACKETS);
  return { events, tally, stats: monitor.stats };
}

describe('monitor: detections tallied where nobody reads events', () => {
  test('the tally names the threats the events would, in order, counted alike, and no event is built', () => {
    const built = run(false);
    const tallied = run(true);
    const named = built.events.filter((e) => e.event.action === 'detected').map((e) => e.threat?.software?.id);
    assert.deepEqual(
      [...new Set(named)].sort(),
      ['port-scan', 'prettypark', 'sql-injection', 'web-path-probing'],
      'every kind of detection is in the run',
    );
    assert.ok(
      built.events.some((e) => e.event.action === 'flow'),
      'the connections with a detection are reported as flows',
    );
    assert.deepEqual(tallied.tally, named);
    assert.deepEqual(tallied.events, [], 'neither detection nor flow events');
    assert.deepEqual(tallied.stats, built.stats, 'detections, alerts and flows counted the same');
  });
});
