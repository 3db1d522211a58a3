import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CaptureError } from '../../src/monitor/capture/errors.js';
import { pcap, pcapng } from './helpers/captureWriter.js';
import { ethernet, ipv4, tcp } from './helpers/packets.js';
import { parseAll } from './helpers/run.js';

const packets = [1, 2, 3].map((i) => ({
  data: ethernet(
    0x0800,
    ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport: 1000 + i, dport: 80, seq: i, flags: 2 })),
  ),
  sec: 1_700_000_000 + i,
  nsec: (123_456_789 * i) % 1_000_000_000,
}));

describe('capture reader', () => {
  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      test(`pcap ${bigEndian ? 'big' : 'little'}-endian, ${nanoseconds ? 'nano' : 'micro'}seconds`, () => {
        const { frames, error } = parseAll(pcap(packets, { linkType: 1, bigEndian, nanoseconds }));
        assert.equal(error, null);
        assert.equal(frames.length, 3);
        const f = frames[1]!;
        assert.equal(f.number, 2);
        assert.equal(f.seconds, 1_700_000_002);
        assert.equal(f.precision, nanoseconds ? 9 : 6);
        assert.equal(f.fraction, nanoseconds ? 246_913_578 : 246_913);
        assert.equal(f.linkType, 1);
        assert.deepEqual([...f.data], packets[1]!.data);
      });
    }
  }

  for (const bigEndian of [false, true]) {
    for (const tsresol of [undefined, 9]) {
      test(`pcapng ${bigEndian ? 'big' : 'little'}-endian, if_tsresol ${tsresol ?? 'default'}`, () => {
        const { frames, error } = parseAll(
          pcapng(packets, { linkType: 1, bigEndian, ...(tsresol ? { tsresol } : {}) }),
        );
        assert.equal(error, null);
        assert.equal(frames.length, 3);
        const f = frames[2]!;
        assert.equal(f.seconds, 1_700_000_003);
        assert.equal(f.precision, tsresol ?? 6);
        assert.equal(f.fraction, tsresol ? 370_370_367 : 370_370);
        assert.deepEqual([...f.data], packets[2]!.data);
      });
    }
  }

  test('pcapng simple packet blocks carry data without timestamps', () => {
    const { frames, error } = parseAll(pcapng(packets, { linkType: 1, simple: true }));
    assert.equal(error, null);
    assert.equal(frames.length, 3);
    assert.deepEqual([...frames[0]!.data], packets[0]!.data);
  });

  test('any chunking (here: one byte at a time, as from a pipe) yields the same frames', () => {
    const bytes = pcapng(packets, { linkType: 1, tsresol: 9 });
    const whole = parseAll(bytes).frames;
    const dribbled = parseAll(bytes, 1).frames;
    assert.deepEqual(dribbled, whole);
  });

  test('a truncated pcap names the byte offset, and the packets before it are read', () => {
    const bytes = pcap(packets, { linkType: 1 });
    const cut = bytes.subarray(0, bytes.length - 10);
    const { frames, error } = parseAll(cut);
    assert.equal(frames.length, 2);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'E_CAPTURE_TRUNCATED');
    const third = 24 + 2 * (16 + packets[0]!.data.length);
    assert.equal(error.offset, third);
    assert.match(error.message, new RegExp(`byte offset ${third}`));
  });

  test('a corrupt record length in a pcap is caught at its offset', () => {
    const bytes = Buffer.from(pcap(packets, { linkType: 1 }));
    const second = 24 + 16 + packets[0]!.data.length;
    bytes.writeUInt32LE(0x7fffffff, second + 8);
    const { frames, error } = parseAll(bytes);
    assert.equal(frames.length, 1);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'E_CAPTURE_CORRUPT');
    assert.equal(error.offset, second);
  });

  test('a corrupt pcapng block length is caught at its offset', () => {
    const bytes = Buffer.from(pcapng(packets, { linkType: 1 }));
    const shbLen = bytes.readUInt32LE(4);
    const idbLen = bytes.readUInt32LE(shbLen + 4);
    const firstEpb = shbLen + idbLen;
    const secondEpb = firstEpb + bytes.readUInt32LE(firstEpb + 4);
    bytes.writeUInt32LE(13, secondEpb + 4);
    const { frames, error } = parseAll(bytes);
    assert.equal(frames.length, 1);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'E_CAPTURE_CORRUPT');
    assert.equal(error.offset, secondEpb);
  });

  test('what is no capture at all is refused with a format error', () => {
    const { frames, error } = parseAll(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(frames.length, 0);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'E_CAPTURE_FORMAT');
    assert.equal(error.offset, 0);
  });

  test('an empty input is a format error, not a crash', () => {
    const { error } = parseAll(new Uint8Array(0));
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'E_CAPTURE_FORMAT');
  });
});
