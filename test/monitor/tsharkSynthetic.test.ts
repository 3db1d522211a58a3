import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pcap, pcapng, writeCapture } from './helpers/captureWriter.js';
import { ethernet, nullLink, sll, sll2 } from './helpers/packets.js';
import { hasTool, ourLines, tempDir, tsharkLines } from './helpers/run.js';
import { type NetPacket, scenario, scenarioV6, timed } from './helpers/scenario.js';

/**
 * Hand-built captures for every link type we read, compared line by line with tshark's
 * default output on the same file. Each capture holds an HTTP exchange with TCP options, DNS,
 * ICMP, scans, a fragment, a retransmission and IPv6 with an extension header.
 */
const tshark = hasTool('tshark', '-v');
const tmp = tempDir();
after(tmp.cleanup);

const all = (): NetPacket[] => [...scenario(), ...scenarioV6()];
const etherType = (p: NetPacket): number => (p.version === 4 ? 0x0800 : 0x86dd);

const LINKS: ReadonlyArray<{ name: string; linkType: number; frame: (p: NetPacket) => number[] }> = [
  { name: 'Ethernet', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes) },
  { name: 'Ethernet with 802.1Q VLAN', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes, 42) },
  { name: 'BSD loopback (NULL)', linkType: 0, frame: (p) => nullLink(p.version === 4 ? 2 : 30, p.bytes) },
  { name: 'raw IP (LINKTYPE_RAW 101)', linkType: 101, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 12)', linkType: 12, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 14)', linkType: 14, frame: (p) => p.bytes },
  { name: 'Linux SLL', linkType: 113, frame: (p) => sll(etherType(p), p.bytes) },
  { name: 'Linux SLL2', linkType: 276, frame: (p) => sll2(etherType(p), p.bytes) },
];

describe('packet log matches tshark on hand-built captures', { skip: tshark ? false : 'tshark not installed' }, () => {
  for (const link of LINKS) {
    test(`${link.name}, pcap`, () => {
      const bytes = pcap(timed(all().map(link.frame)), { linkType: link.linkType });
      const file = writeCapture(join(tmp.dir, `link-${link.linkType}.pcap`), bytes);
      assert.deepEqual(ourLines(bytes), tsharkLines(file));
    });
  }

  test('nanosecond pcap, big-endian', () => {
    const bytes = pcap(timed(all().map(LINKS[0]!.frame)), { linkType: 1, nanoseconds: true, bigEndian: true });
    const file = writeCapture(join(tmp.dir, 'ns-be.pcap'), bytes);
    const ours = ourLines(bytes);
    assert.match(ours[1] ?? '', / 0\.001500123 /);
    assert.deepEqual(ours, tsharkLines(file));
  });

  test('pcapng with if_tsresol 9, big-endian', () => {
    const bytes = pcapng(timed(all().map(LINKS[0]!.frame)), { linkType: 1, tsresol: 9, bigEndian: true });
    const file = writeCapture(join(tmp.dir, 'ns.pcapng'), bytes);
    assert.deepEqual(ourLines(bytes), tsharkLines(file));
  });

  test('pcapng, microseconds, little-endian', () => {
    const bytes = pcapng(timed(all().map(LINKS[6]!.frame)), { linkType: 113 });
    const file = writeCapture(join(tmp.dir, 'us.pcapng'), bytes);
    assert.deepEqual(ourLines(bytes), tsharkLines(file));
  });
});
