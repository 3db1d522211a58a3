import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flowLines } from '../../src/monitor/evidence/flowLines.js';
import { judgedRun as run, threats } from './helpers/judgedRun.js';
import { FLAGS, ipv4, tcp } from './helpers/packets.js';

/** The monitor's TCP reassembly handing HTTP to the rule engine: reordered and overlapping segments, servers that speak first, pipelining, stored flows. */
describe('TCP streams into the engine', () => {
  const C = '192.0.2.50';
  const S = '192.0.2.80';
  const c2s = (seq: number, flags: number, payload = '', ack = 0): number[] =>
    ipv4({ src: C, dst: S, proto: 6 }, tcp({ sport: 4369, dport: 80, seq, ack, flags, payload }));
  const s2c = (seq: number, flags: number, payload = '', ack = 0): number[] =>
    ipv4({ src: S, dst: C, proto: 6 }, tcp({ sport: 80, dport: 4369, seq, ack, flags, payload }));

  test('the seed CONNECT split into out-of-order, overlapping segments is still prettypark, with its 400', () => {
    const line = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
    const a = line.slice(0, 10);
    const b = line.slice(10, 30);
    const c = line.slice(30);
    const bad = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n';
    const { events } = run(
      [
        c2s(100, FLAGS.SYN),
        s2c(500, FLAGS.SYN | FLAGS.ACK, '', 101),
        c2s(101, FLAGS.ACK, '', 501),
        c2s(131, FLAGS.PSH | FLAGS.ACK, c, 501),
        c2s(111, FLAGS.ACK, b, 501),
        // A conflicting retransmission of the middle: first-wins keeps what came first.
        c2s(111, FLAGS.ACK, 'X'.repeat(20), 501),
        c2s(101, FLAGS.ACK, a, 501),
        s2c(501, FLAGS.PSH | FLAGS.ACK, bad, 101 + line.length),
        s2c(501 + bad.length, FLAGS.FIN | FLAGS.ACK, '', 101 + line.length),
        c2s(101 + line.length, FLAGS.FIN | FLAGS.ACK, '', 502 + bad.length),
        s2c(502 + bad.length, FLAGS.ACK, '', 102 + line.length),
      ],
      {},
    );
    const detected = events.filter((e) => e.event.action === 'detected');
    assert.equal(detected.length, 1);
    assert.equal(detected[0]!.threat?.software?.id, 'prettypark');
    assert.equal(detected[0]!.bansho.evidence, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.equal(detected[0]!.http?.response?.status_code, 400);
    const flow = events.find((e) => e.event.action === 'flow');
    assert.ok(flow, 'the connection with a detection gets its flow summary');
    assert.equal(flow.bansho.flow?.conn_state, 'SF');
    assert.equal(flow.bansho.flow?.orig_bytes, line.length);
    // Zeek's letters, upper case for the originator: SYN, SYN-ACK, ACK, data both ways, then the FINs.
    assert.equal(flow.bansho.flow?.history, 'ShADdfF');
    assert.match(flowLines(flow.bansho.flow).join('\n'), /4369 → 80 \[SYN\]/);
  });

  test('a server that speaks first (SMTP, FTP, POP3) carries no HTTP: its client’s commands are not judged', () => {
    const smtp = (sport: number, dport: number) => {
      const c = (seq: number, flags: number, payload = '', ack = 0): number[] =>
        ipv4({ src: C, dst: S, proto: 6 }, tcp({ sport, dport, seq, ack, flags, payload }));
      const s = (seq: number, flags: number, payload = '', ack = 0): number[] =>
        ipv4({ src: S, dst: C, proto: 6 }, tcp({ sport: dport, dport: sport, seq, ack, flags, payload }));
      const banner = '220 mail.example.org ESMTP\r\n';
      const ehlo = 'EHLO client.example\r\nMAIL FROM:<spam@example.net>\r\n';
      return [
        c(100, FLAGS.SYN),
        s(500, FLAGS.SYN | FLAGS.ACK, '', 101),
        c(101, FLAGS.ACK, '', 501),
        s(501, FLAGS.PSH | FLAGS.ACK, banner, 101),
        c(101, FLAGS.PSH | FLAGS.ACK, ehlo, 501 + banner.length),
        c(101 + ehlo.length, FLAGS.FIN | FLAGS.ACK, '', 501 + banner.length),
      ];
    };
    // On port 25, and even on port 80: the greeting before any request says it is not HTTP.
    const { events, monitor } = run([...smtp(40100, 25), ...smtp(40101, 80)]);
    assert.equal(monitor.stats.requests, 0);
    assert.deepEqual(events, []);
  });

  test('the seed CONNECT on a port that is not an HTTP port is still judged (it ends in its version)', () => {
    const c = (seq: number, flags: number, payload = '', ack = 0): number[] =>
      ipv4({ src: C, dst: S, proto: 6 }, tcp({ sport: 40200, dport: 3128 + 1, seq, ack, flags, payload }));
    const { events } = run([
      c(1, FLAGS.SYN),
      c(2, FLAGS.PSH | FLAGS.ACK, 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n'),
    ]);
    assert.deepEqual(threats(events), ['prettypark']);
  });

  test('pipelined requests on one connection are each judged', () => {
    const reqs = 'GET / HTTP/1.1\r\nHost: a\r\n\r\nCONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
    const { events, monitor } = run([
      c2s(1, FLAGS.SYN),
      s2c(9, FLAGS.SYN | FLAGS.ACK, '', 2),
      c2s(2, FLAGS.PSH | FLAGS.ACK, reqs, 10),
    ]);
    assert.equal(monitor.stats.requests, 2);
    assert.deepEqual(threats(events), ['prettypark']);
  });

  test('flows are stored only on request (--flows) or for connections with a detection', () => {
    const plain = [
      c2s(1, FLAGS.SYN),
      s2c(9, FLAGS.SYN | FLAGS.ACK, '', 2),
      c2s(2, FLAGS.PSH | FLAGS.ACK, 'GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n', 10),
    ];
    assert.equal(run(plain).events.length, 0);
    const flows = run(plain, { allFlows: true }).events.filter((e) => e.event.action === 'flow');
    assert.equal(flows.length, 1);
    assert.equal(flows[0]!.bansho.flow?.conn_state, 'S1');
  });
});
