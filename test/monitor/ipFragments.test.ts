import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IpReassembler } from '../../src/monitor/decode/ipFragments.js';
import { type DecodedPacket, decodePacket } from '../../src/monitor/decode/packet.js';
import { ipv4, testFrame, udp } from './helpers/packets.js';

function decoded(bytes: number[], number = 1): DecodedPacket {
  return decodePacket(testFrame(Uint8Array.from(bytes), { number, seconds: 1_700_000_000, linkType: 101 }));
}

/** The two halves of a 1008-byte UDP datagram, as raw IPv4 fragments. */
function halves(id: number): [DecodedPacket, DecodedPacket] {
  const datagram = udp(40000, 40001, Buffer.alloc(1000, id & 0xff));
  const first = ipv4({ src: '10.9.0.1', dst: '10.9.0.2', proto: 17, id, moreFragments: true }, datagram.slice(0, 504));
  const last = ipv4({ src: '10.9.0.1', dst: '10.9.0.2', proto: 17, id, fragOffset: 504 }, datagram.slice(504));
  return [decoded(first), decoded(last)];
}

const isWhole = (p: DecodedPacket): boolean => p.transport.kind === 'udp' && p.payload.length === 1000;

describe('IP fragment reassembly', () => {
  test('the completing fragment yields the whole datagram; a fragment alone stays as it is', () => {
    const r = new IpReassembler();
    const [first, last] = halves(7);
    assert.equal(r.packet(first), first);
    const whole = r.packet(last);
    assert.ok(isWhole(whole));
    assert.equal(whole.frame.number, last.frame.number);
    assert.ok(whole.payload.every((b) => b === 7));
    // Completed datagrams are forgotten: the same last fragment again is a fragment again.
    assert.equal(r.packet(last), last);
  });

  test('at most MAX_PENDING datagrams wait: the oldest is dropped first', () => {
    const r = new IpReassembler();
    const pairs = Array.from({ length: IpReassembler.MAX_PENDING + 1 }, (_, i) => halves(i + 1));
    for (const [first] of pairs) r.packet(first);
    const [, oldestLast] = pairs[0]!;
    const [, newestLast] = pairs[pairs.length - 1]!;
    assert.equal(r.packet(oldestLast), oldestLast, 'the oldest was dropped, so its last half completes nothing');
    assert.ok(isWhole(r.packet(newestLast)));
  });

  test('at most MAX_PENDING_BYTES of fragments wait, and nothing past 65535 bytes is kept', () => {
    const r = new IpReassembler();
    const big = (id: number) =>
      decoded(
        ipv4(
          { src: '10.9.0.3', dst: '10.9.0.4', proto: 17, id, moreFragments: true },
          new Array(60_000).fill(id & 0xff),
        ),
      );
    const count = Math.ceil(IpReassembler.MAX_PENDING_BYTES / 60_000) + 1;
    for (let id = 1; id <= count; id++) r.packet(big(id));
    const end = (id: number) =>
      decoded(ipv4({ src: '10.9.0.3', dst: '10.9.0.4', proto: 17, id, fragOffset: 60_000 }, udp(1, 2).slice(0, 8)));
    assert.equal(
      r.packet(end(1)).transport.kind,
      'none',
      'the first big datagram was dropped to stay within the bound',
    );
    assert.equal(r.packet(end(count)).transport.kind, 'udp');
    const beyond = decoded(
      ipv4({ src: '10.9.0.5', dst: '10.9.0.6', proto: 17, id: 9, fragOffset: 65_528 }, new Array(16).fill(0)),
    );
    assert.equal(r.packet(beyond), beyond);
  });
});
