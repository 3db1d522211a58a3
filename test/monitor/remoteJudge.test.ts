import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { RemoteJudge } from '../../src/monitor/judge/remoteJudge.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { FLAGS, feedRawIp, ipv4, tcp, udp } from './helpers/packets.js';

const C = '192.0.2.50';
const S = '192.0.2.80';
const ATTACKER = '198.51.100.7';

/** Two connections (a page, then the seed's CONNECT), a Slammer datagram, a UDP scan, a SYN scan. */
function traffic(): number[][] {
  const packets: number[][] = [];
  const connect = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
  const get = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
  const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';
  for (const [port, request] of [
    [4369, get],
    [4370, connect],
  ] as const) {
    const c2s = (seq: number, flags: number, payload = '', ack = 0) =>
      ipv4({ src: C, dst: S, proto: 6 }, tcp({ sport: port, dport: 80, seq, ack, flags, payload }));
    const s2c = (seq: number, flags: number, payload = '', ack = 0) =>
      ipv4({ src: S, dst: C, proto: 6 }, tcp({ sport: 80, dport: port, seq, ack, flags, payload }));
    packets.push(
      c2s(100, FLAGS.SYN),
      s2c(500, FLAGS.SYN | FLAGS.ACK, '', 101),
      c2s(101, FLAGS.PSH | FLAGS.ACK, request, 501),
      s2c(501, FLAGS.PSH | FLAGS.ACK, ok, 101 + request.length),
      c2s(101 + request.length, FLAGS.FIN | FLAGS.ACK, '', 501 + ok.length),
      s2c(501 + ok.length, FLAGS.FIN | FLAGS.ACK, '', 102 + request.length),
      c2s(102 + request.length, FLAGS.ACK, '', 502 + ok.length),
    );
  }
  const slammer = new Uint8Array(376).fill(0x01);
  slammer[0] = 0x04;
  packets.push(ipv4({ src: ATTACKER, dst: S, proto: 17 }, udp(1434, 1434, slammer)));
  for (let p = 2000; p < 2025; p++) packets.push(ipv4({ src: ATTACKER, dst: S, proto: 17 }, udp(5353, p, '')));
  for (let p = 1000; p < 1030; p++) {
    packets.push(ipv4({ src: ATTACKER, dst: C, proto: 6 }, tcp({ sport: 40000, dport: p, seq: 1, flags: FLAGS.SYN })));
  }
  return packets;
}

describe('the judge on a worker thread', () => {
  test('gives the same events, in the same order, with the same counts, as the judge on this thread', async () => {
    const catalog = loadCatalog();
    const local: SecurityEvent[] = [];
    const here = new Monitor({
      judge: inThreadJudge({
        behaviours: builtInBehaviours(),
        engine: loadEngine(),
        threatName: (id) => catalog.get(id)?.name,
        allFlows: true,
        onEvent: (e) => local.push(e),
      }),
      log: true,
    });
    feedRawIp(here, traffic());

    const remote: SecurityEvent[] = [];
    const judge = new RemoteJudge({
      behaviours: builtInBehaviours(),
      lists: {},
      allFlows: true,
      onEvent: (e) => remote.push(e),
    });
    const there = new Monitor({ judge, log: true });
    feedRawIp(there, traffic());
    await judge.finish();

    const kinds = local.map((e) => `${e.event.action}:${e.threat?.software?.id ?? ''}`);
    for (const expected of ['detected:prettypark', 'detected:sql-slammer', 'detected:port-scan', 'flow:']) {
      assert.ok(kinds.includes(expected), `the traffic yields ${expected}`);
    }
    assert.deepEqual(remote, JSON.parse(JSON.stringify(local)));
    assert.deepEqual(there.stats, here.stats);
  });
});
