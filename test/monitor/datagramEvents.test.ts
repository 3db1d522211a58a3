import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgedRun, threats } from './helpers/judgedRun.js';
import { ipv4, udp } from './helpers/packets.js';

/** A Slammer datagram whose second byte is `mark` (so each one's evidence differs). */
function slammer(src: string, sport: number, mark: number): number[] {
  const payload = new Uint8Array(376).fill(0x01);
  payload[0] = 0x04;
  payload[1] = mark;
  return ipv4({ src, dst: '10.30.0.80', proto: 17 }, udp(sport, 1434, payload));
}

describe('datagram events (the monitor refills one datagram for the judge)', () => {
  test('each event tells of its own datagram, not of the ones judged after it', () => {
    const dns = ipv4({ src: '10.20.0.1', dst: '10.20.0.53', proto: 17 }, udp(40000, 53, 'query'));
    const { events } = judgedRun([slammer('198.51.100.7', 1111, 0xaa), dns, slammer('203.0.113.9', 2222, 0xbb), dns]);
    assert.deepEqual(threats(events), ['sql-slammer', 'sql-slammer']);
    const seen = events.map((e) => ({
      source: `${e.source.ip}:${e.source.port}`,
      destination: `${e.destination?.ip}:${e.destination?.port}`,
      evidence: e.bansho.evidence,
    }));
    assert.deepEqual(seen, [
      {
        source: '198.51.100.7:1111',
        destination: '10.30.0.80:1434',
        evidence: `UDP 198.51.100.7:1111 → 10.30.0.80:1434 len=64 first=04aa${'01'.repeat(14)}`,
      },
      {
        source: '203.0.113.9:2222',
        destination: '10.30.0.80:1434',
        evidence: `UDP 203.0.113.9:2222 → 10.30.0.80:1434 len=64 first=04bb${'01'.repeat(14)}`,
      },
    ]);
    assert.notEqual(events[0]?.event.id, events[1]?.event.id);
  });
});
