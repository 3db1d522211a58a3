import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { pcap, writeCapture } from './captureWriter.js';
import { ethernet, nullLink, sll, sll2 } from './packets.js';
import { hasTool, ourLines, tempDir, tsharkLines } from './run.js';
import { httpExchange, type NetPacket, scenario, scenarioV6, timed } from './scenario.js';

/**
 * Hand-built captures compared line by line with tshark's default output, for the tshark*
 * suites: the link types we read, and frames in a capture of their own.
 */
export const tshark = hasTool('tshark', '-v');
export const tmp = tempDir();
after(tmp.cleanup);

export const all = (): NetPacket[] => [...scenario(), ...scenarioV6()];
const etherType = (p: NetPacket): number => (p.version === 4 ? 0x0800 : 0x86dd);

export const LINKS: ReadonlyArray<{ name: string; linkType: number; frame: (p: NetPacket) => number[] }> = [
  { name: 'Ethernet', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes) },
  { name: 'Ethernet with 802.1Q VLAN', linkType: 1, frame: (p) => ethernet(etherType(p), p.bytes, 42) },
  { name: 'BSD loopback (NULL)', linkType: 0, frame: (p) => nullLink(p.version === 4 ? 2 : 30, p.bytes) },
  { name: 'raw IP (LINKTYPE_RAW 101)', linkType: 101, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 12)', linkType: 12, frame: (p) => p.bytes },
  { name: 'raw IP (DLT 14)', linkType: 14, frame: (p) => p.bytes },
  { name: 'Linux SLL', linkType: 113, frame: (p) => sll(etherType(p), p.bytes) },
  { name: 'Linux SLL2', linkType: 276, frame: (p) => sll2(etherType(p), p.bytes) },
];

/** Ethernet frames in a capture of their own, compared line by line with tshark's; our lines. */
export function framesMatchTshark(name: string, frames: number[][]): string[] {
  const bytes = pcap(timed(frames), { linkType: 1 });
  const file = writeCapture(join(tmp.dir, `${name}.pcap`), bytes);
  const ours = ourLines(bytes);
  assert.deepEqual(ours, tsharkLines(file));
  return ours;
}

/** As framesMatchTshark, where the lines may differ from tshark's at the frames (1-based) `differing` only. */
export function framesBesideTshark(name: string, frames: number[][], differing: readonly number[]): string[] {
  const bytes = pcap(timed(frames), { linkType: 1 });
  const theirs = tsharkLines(writeCapture(join(tmp.dir, `${name}.pcap`), bytes));
  const ours = ourLines(bytes);
  assert.equal(ours.length, theirs.length);
  assert.deepEqual(
    ours.flatMap((l, i) => (l === theirs[i] ? [] : [i + 1])),
    differing,
  );
  return ours;
}

/** Each exchange on ports of its own. */
export function exchangesMatchTshark(
  name: string,
  exchanges: ReadonlyArray<readonly [string | Buffer, string | Buffer]>,
): string[] {
  const packets = exchanges.flatMap(([req, res], i) => httpExchange(41000 + i, req, res));
  return framesMatchTshark(name, packets.map(LINKS[0]!.frame));
}

export const OK_EMPTY = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
export const get = (path = '/') => `GET ${path} HTTP/1.1\r\nHost: www.example.com\r\n\r\n`;

export function response(type: string | null, body: Buffer, encoding?: string): Buffer {
  const head =
    'HTTP/1.1 200 OK\r\n' +
    (type === null ? '' : `Content-Type: ${type}\r\n`) +
    (encoding ? `Content-Encoding: ${encoding}\r\n` : '') +
    `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
