import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { FLAGS, feedRawIp, ipv4, tcp } from './helpers/packets.js';

const C = '192.0.2.50';
const S = '192.0.2.80';
const c = (seq: number, flags: number, payload = '', ack = 0, dport = 80) =>
  ipv4({ src: C, dst: S, proto: 6 }, tcp({ sport: 4444, dport, seq, ack, flags, payload }));
const s = (seq: number, flags: number, payload = '', ack = 0, sport = 80) =>
  ipv4({ src: S, dst: C, proto: 6 }, tcp({ sport, dport: 4444, seq, ack, flags, payload }));

/** The flow events of some packets, every connection reported, with the packet log or without. */
function flows(packets: number[][], log: boolean): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const monitor = new Monitor({
    judge: inThreadJudge({
      behaviours: builtInBehaviours(),
      engine: null,
      allFlows: true,
      onEvent: (e) => events.push(e),
    }),
    log,
  });
  feedRawIp(monitor, packets);
  return events.filter((e) => e.event.action === 'flow');
}

describe('one conversation table: connections within conversations', () => {
  for (const log of [true, false]) {
    const mode = log ? 'with the packet log' : 'without it';
    test(`a SYN with a new sequence number on an open connection starts a new one (${mode})`, () => {
      for (const port of [80, 7777]) {
        const found = flows(
          [
            c(100, FLAGS.SYN, '', 0, port),
            s(500, FLAGS.SYN | FLAGS.ACK, '', 101, port),
            c(101, FLAGS.ACK, '', 501, port),
            c(9000, FLAGS.SYN, '', 0, port),
            s(7000, FLAGS.SYN | FLAGS.ACK, '', 9001, port),
          ],
          log,
        );
        assert.deepEqual(
          found.map((e) => [e.bansho.flow?.history, e.bansho.flow?.conn_state]),
          [
            ['ShA', 'S1'],
            ['Sh', 'S1'],
          ],
          `port ${port}`,
        );
      }
    });

    test(`the history keeps every letter in the order it was first seen, ten and more of them (${mode})`, () => {
      const found = flows(
        [
          s(500, FLAGS.SYN | FLAGS.ACK, '', 101),
          c(100, FLAGS.SYN | FLAGS.ACK, '', 501),
          c(101, FLAGS.ACK, '', 501),
          c(100, FLAGS.SYN),
          s(500, FLAGS.SYN),
          c(101, FLAGS.PSH | FLAGS.ACK, 'GET / HTTP/1.1\r\n\r\n', 501),
          s(501, FLAGS.PSH | FLAGS.ACK, 'HTTP/1.1 204 No Content\r\n\r\n', 119),
          s(528, FLAGS.ACK, '', 119),
          c(119, FLAGS.FIN | FLAGS.ACK, '', 528),
          s(528, FLAGS.RST, '', 120),
        ],
        log,
      );
      assert.deepEqual(
        found.map((e) => e.bansho.flow?.history),
        ['^hHASsDdaFr'],
      );
    });

    test(`packets after both FINs are the ended connection's, and open none (${mode})`, () => {
      const found = flows(
        [
          c(100, FLAGS.SYN),
          s(500, FLAGS.SYN | FLAGS.ACK, '', 101),
          c(101, FLAGS.FIN | FLAGS.ACK, '', 501),
          s(501, FLAGS.FIN | FLAGS.ACK, '', 102),
          c(102, FLAGS.ACK, '', 502),
          // Retransmitted: still the ended connection's.
          s(501, FLAGS.FIN | FLAGS.ACK, '', 102),
          c(102, FLAGS.ACK, '', 502),
        ],
        log,
      );
      assert.deepEqual(
        found.map((e) => e.bansho.flow?.conn_state),
        ['SF'],
      );
    });
  }
});
