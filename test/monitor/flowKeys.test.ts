import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlowKeys, flowKey } from '../../src/monitor/decode/flowKey.js';
import { type DecodedPacket, decodePacket } from '../../src/monitor/decode/packet.js';
import { ethernet, FLAGS, ipv4, tcp, testFrame } from './helpers/packets.js';

function segment(src: string, dst: string, sport: number, dport: number): DecodedPacket {
  const data = Uint8Array.from(
    ethernet(0x0800, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, seq: 1, flags: FLAGS.ACK }))),
  );
  return decodePacket(testFrame(data));
}

function keyOf(keys: FlowKeys, p: DecodedPacket): string {
  const t = p.transport;
  assert.equal(t.kind, 'tcp');
  return keys.key(p, t.tcp.sourcePort, t.tcp.destinationPort);
}

describe('FlowKeys: flow keys remembered by their 4-tuple', () => {
  test('both directions of a flow get the string the flow already has', () => {
    const keys = new FlowKeys();
    const first = keyOf(keys, segment('10.0.0.1', '10.0.0.2', 40000, 80));
    const again = keyOf(keys, segment('10.0.0.2', '10.0.0.1', 80, 40000));
    assert.equal(again, first);
    assert.equal(first, flowKey(segment('10.0.0.1', '10.0.0.2', 40000, 80), 40000, 80));
  });

  test('flows that share a slot (more flows than slots) never get each other’s key', () => {
    const keys = new FlowKeys();
    const flows: Array<[string, string, number, number]> = [];
    // More flows than slots, so that slots are shared: by flows apart in address alone, in port alone.
    for (let i = 0; i < 10_000; i++) flows.push([`10.${(i >> 8) & 255}.${i & 255}.1`, '192.168.0.1', 40000, 443]);
    for (let i = 0; i < 10_000; i++) flows.push(['10.0.0.1', '192.168.0.1', 1024 + i, 443]);
    // Ports swapped between the ends and equal addresses: the tuple words alone must tell them apart.
    flows.push(['10.0.0.9', '10.0.0.9', 80, 81], ['10.0.0.9', '10.0.0.9', 81, 80], ['10.0.0.9', '10.0.0.9', 82, 80]);
    for (let round = 0; round < 2; round++) {
      for (const [src, dst, sport, dport] of flows) {
        const p = segment(src, dst, sport, dport);
        assert.equal(keyOf(keys, p), flowKey(p, sport, dport), `${src}:${sport} ${dst}:${dport}`);
      }
    }
  });
});
