import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Judge, JudgeCounts } from '../../src/monitor/judge/judge.js';
import { Monitor } from '../../src/monitor/monitor.js';
import type { ConnectionView } from '../../src/monitor/tcp/connection.js';
import { feedRawIp, httpExchangePackets, ipv4, udp } from './helpers/packets.js';

const CLIENT = '10.20.0.1';
const RESOLVER = '10.20.0.53';
const SERVER = '93.184.216.34';

/** A lookup of www.example.com answered with SERVER, then a GET to it. */
const PACKETS: number[][] = [
  ipv4(
    { src: RESOLVER, dst: CLIENT, proto: 17 },
    udp(
      53,
      40000,
      Buffer.from(
        '12348180000100010000000003777777076578616d706c6503636f6d0000010001c00c000100010000003c00045db8d822',
        'hex',
      ),
    ),
  ),
  ...httpExchangePackets({
    client: CLIENT,
    server: SERVER,
    clientPort: 40100,
    request: 'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n',
    response: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
  }),
];

interface Kept {
  readonly packets: number;
  readonly transactions: number;
  readonly dns: number;
  readonly requests: number;
}

/** What each connection held as it ended (its evidence is read then, or never). */
function run(log: boolean, evidence?: boolean): Kept[] {
  const kept: Kept[] = [];
  let requests = 0;
  const counts: JudgeCounts = { datagrams: 0, detections: 0, alerts: 0, flows: 0 };
  const judge: Judge<ConnectionView> = {
    request: () => {
      requests++;
    },
    datagram: () => {},
    alert: () => {},
    closed: (conn) => {
      kept.push({
        packets: conn.packets?.length ?? 0,
        transactions: conn.transactions.length,
        dns: conn.dns.length,
        requests,
      });
    },
    counts,
  };
  const monitor = new Monitor({ judge, log, ...(evidence === undefined ? {} : { evidence }) });
  feedRawIp(monitor, PACKETS);
  return kept;
}

describe('monitor: evidence kept only where events carry it', () => {
  test('by default a connection keeps its packets (with the log), its requests and the DNS answer that led to it', () => {
    assert.deepEqual(run(true), [{ packets: 6, transactions: 1, dns: 1, requests: 1 }]);
    assert.deepEqual(run(false), [{ packets: 0, transactions: 1, dns: 1, requests: 1 }]);
  });

  test('without evidence nothing is kept, and the requests are judged all the same', () => {
    assert.deepEqual(run(true, false), [{ packets: 0, transactions: 0, dns: 0, requests: 1 }]);
    assert.deepEqual(run(false, false), [{ packets: 0, transactions: 0, dns: 0, requests: 1 }]);
  });
});
