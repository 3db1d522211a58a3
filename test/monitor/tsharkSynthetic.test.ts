import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pcap, pcapng, writeCapture } from './helpers/captureWriter.js';
import { ourLines, tsharkLines } from './helpers/run.js';
import { timed } from './helpers/scenario.js';
import { all, LINKS, tmp, tshark } from './helpers/tsharkCompare.js';

/**
 * Hand-built captures for every link type we read, compared line by line with tshark's
 * default output on the same file. Each capture holds an HTTP exchange with TCP options, DNS,
 * ICMP, scans, a fragment, a retransmission and IPv6 with an extension header.
 */
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
