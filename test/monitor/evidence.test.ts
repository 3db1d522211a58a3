import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { evidenceText } from '../../src/monitor/evidence/storedEvidence.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { FLAGS, feedRawIp, ipv4, tcp, udp } from './helpers/packets.js';

const engine = loadEngine();
const CLIENT = '10.20.0.1';
const RESOLVER = '10.20.0.53';
const SERVER = '93.184.216.34';

/** A DNS lookup of www.example.com (answered with SERVER), then the seed's CONNECT to it, answered 400. */
function incident(): number[][] {
  const query = Buffer.from('12340100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex');
  const answer = Buffer.from(
    '12348180000100010000000003777777076578616d706c6503636f6d0000010001c00c000100010000003c00045db8d822',
    'hex',
  );
  const get = 'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\r\n';
  const connect = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
  const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';
  const bad = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n';
  const c = (seq: number, flags: number, payload = '', ack = 0) =>
    ipv4({ src: CLIENT, dst: SERVER, proto: 6 }, tcp({ sport: 40100, dport: 80, seq, ack, flags, payload }));
  const s = (seq: number, flags: number, payload = '', ack = 0) =>
    ipv4({ src: SERVER, dst: CLIENT, proto: 6 }, tcp({ sport: 80, dport: 40100, seq, ack, flags, payload }));
  const afterGet = 101 + get.length;
  const afterConnect = afterGet + connect.length;
  return [
    ipv4({ src: CLIENT, dst: RESOLVER, proto: 17 }, udp(40000, 53, query)),
    ipv4({ src: RESOLVER, dst: CLIENT, proto: 17 }, udp(53, 40000, answer)),
    c(100, FLAGS.SYN),
    s(500, FLAGS.SYN | FLAGS.ACK, '', 101),
    c(101, FLAGS.PSH | FLAGS.ACK, get, 501),
    s(501, FLAGS.PSH | FLAGS.ACK, ok, afterGet),
    c(afterGet, FLAGS.PSH | FLAGS.ACK, connect, 501 + ok.length),
    s(501 + ok.length, FLAGS.PSH | FLAGS.ACK, bad, afterConnect),
    c(afterConnect, FLAGS.FIN | FLAGS.ACK, '', 501 + ok.length + bad.length),
    s(501 + ok.length + bad.length, FLAGS.FIN | FLAGS.ACK, '', afterConnect + 1),
    c(afterConnect + 1, FLAGS.ACK, '', 502 + ok.length + bad.length),
  ];
}

function run(log: boolean, evidence?: boolean): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const monitor = new Monitor({
    judge: inThreadJudge({ behaviours: builtInBehaviours(), engine, allFlows: false, onEvent: (e) => events.push(e) }),
    log,
    ...(evidence === undefined ? {} : { evidence }),
  });
  feedRawIp(monitor, incident());
  return events;
}

describe('evidence: Zeek-named records stored with the events', () => {
  test('a reported connection carries its conn record, its HTTP requests and the DNS answer that led to it', () => {
    const events = run(false);
    assert.deepEqual(
      events.map((e) => `${e.event.action}:${e.threat?.software?.id ?? ''}`),
      ['detected:prettypark', 'flow:'],
    );
    const flow = events[1]?.bansho.flow;
    assert.ok(flow);
    assert.equal(flow['id.orig_h'], CLIENT);
    assert.equal(flow['id.orig_p'], 40100);
    assert.equal(flow['id.resp_h'], SERVER);
    assert.equal(flow['id.resp_p'], 80);
    assert.equal(flow.proto, 'tcp');
    assert.equal(flow.service, 'http');
    assert.equal(flow.conn_state, 'SF');
    // Each direction's own counts (the connection keeps them as fields, one per figure and side).
    const get = 'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\r\n';
    const connect = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';
    const bad = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n';
    assert.deepEqual(
      [flow.orig_pkts, flow.orig_bytes, flow.orig_ip_bytes, flow.resp_pkts, flow.resp_bytes, flow.resp_ip_bytes],
      [
        5,
        get.length + connect.length,
        5 * 40 + get.length + connect.length,
        4,
        ok.length + bad.length,
        4 * 40 + ok.length + bad.length,
      ],
    );
    assert.match(String(flow.uid), /^C[\w-]{17}$/);
    assert.equal(flow.packets, undefined, 'no packet records where the packet log was not made');
    const http = JSON.parse(String(flow.http));
    assert.deepEqual(http, [
      {
        ts: 1_700_000_000.04,
        uid: flow.uid,
        trans_depth: 1,
        method: 'GET',
        host: 'www.example.com',
        uri: '/index.html',
        version: '1.1',
        user_agent: 'curl/8.0',
        request_body_len: 0,
        status_code: 200,
      },
      {
        ts: 1_700_000_000.06,
        uid: flow.uid,
        trans_depth: 2,
        method: 'CONNECT',
        uri: 'maila.microsoft.com:25',
        request_body_len: 0,
        status_code: 400,
      },
    ]);
    const dns = JSON.parse(String(flow.dns));
    assert.equal(dns.length, 1);
    assert.equal(dns[0].query, 'www.example.com');
    assert.equal(dns[0].qtype_name, 'A');
    assert.equal(dns[0].rcode_name, 'NOERROR');
    assert.deepEqual(dns[0].answers, [SERVER]);
    assert.equal(dns[0]['id.orig_h'], CLIENT);
    assert.equal(dns[0]['id.resp_h'], RESOLVER);
  });

  test('the incident view writes the records out; the packet-log lines follow when they were printed', () => {
    const text = run(true).map(evidenceText).join('');
    assert.match(text, /\n {4}dns {3}www\.example\.com A → 93\.184\.216\.34 \(NOERROR, from 10\.20\.0\.53\)\n/);
    assert.match(text, /\n {4}http {2}GET www\.example\.com\/index\.html HTTP\/1\.1 → 200 "curl\/8\.0"\n/);
    assert.match(text, /\n {4}http {2}CONNECT maila\.microsoft\.com:25 → 400\n/);
    assert.match(text, /HTTP \d+ CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0 \n/);
  });

  test('the packet records are kept with the packet log, and not where nothing will read them', () => {
    const packets = (events: SecurityEvent[]) => events.find((e) => e.bansho.flow)?.bansho.flow?.packets;
    assert.equal(typeof packets(run(true)), 'string');
    assert.equal(typeof packets(run(true, true)), 'string');
    assert.equal(packets(run(true, false)), undefined);
  });

  test('detection reads the same with the packet log as without it', () => {
    const withoutLines = (events: SecurityEvent[]) =>
      events.map((e) => {
        if (e.bansho.flow === undefined) return e;
        const { packets: _p, capture_ts: _t, capture_precision: _c, ...flow } = e.bansho.flow;
        return { ...e, bansho: { ...e.bansho, flow } };
      });
    assert.deepEqual(withoutLines(run(true)), withoutLines(run(false)));
  });
});
