import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Delivery, StreamBuffer } from '../../src/monitor/tcp/streamBuffer.js';

const text = (chunks: readonly Uint8Array[]): string => Buffer.concat(chunks).toString('latin1');
/** This call's chunks and gaps: a delivery's arrays are refilled, only their first `count` entries are its own. */
const chunksOf = (d: Delivery): readonly Uint8Array[] =>
  d.bytes.slice(0, d.count).map((b, i) => b.subarray(d.starts[i], d.ends[i]));
const gapsOf = (d: Delivery): readonly number[] => d.gaps.slice(0, d.count);
const seg = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('TCP stream reassembly', () => {
  test('segments are read in place in a larger chunk; what is held is a copy, kept when the chunk is refilled', () => {
    const s = new StreamBuffer(1 << 20);
    s.start(0);
    // One buffer refilled record after record, as the capture's chunk is: the bytes around a
    // segment are another record's, and the next record overwrites the same bytes.
    const chunk = Buffer.from('xxxxGET yyyy', 'latin1');
    const inPlace = s.push(0, chunk, 4, 8);
    assert.equal(inPlace.bytes[0], chunk, 'an in-order segment is delivered in place, not copied');
    assert.deepEqual([inPlace.starts[0], inPlace.ends[0]], [4, 8]);
    chunk.write('xxxxHTTP/1.0', 'latin1');
    assert.deepEqual(chunksOf(s.push(7, chunk, 4, 12)), []);
    chunk.write('zzzz/x zzzzz', 'latin1');
    assert.equal(text(chunksOf(s.push(4, chunk, 4, 7))), '/x HTTP/1.0');
  });

  test('in-order segments pass straight through', () => {
    const s = new StreamBuffer(1024);
    s.start(100);
    assert.equal(text(chunksOf(s.push(100, seg('GET ')))), 'GET ');
    assert.equal(text(chunksOf(s.push(104, seg('/ HTTP/1.1')))), '/ HTTP/1.1');
  });

  test('out-of-order segments are held until the gap fills', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    assert.deepEqual(chunksOf(s.push(4, seg('/x '))), []);
    assert.deepEqual(chunksOf(s.push(7, seg('HTTP/1.0'))), []);
    assert.equal(s.bufferedBytes, 11);
    assert.equal(text(chunksOf(s.push(0, seg('GET ')))), 'GET /x HTTP/1.0');
    assert.equal(s.bufferedBytes, 0);
  });

  test('a retransmission of delivered data is dropped', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(0, seg('abcd'));
    assert.deepEqual(chunksOf(s.push(0, seg('abcd'))), []);
    assert.equal(text(chunksOf(s.push(2, seg('cdef')))), 'ef');
  });

  test('overlaps are resolved first-wins: a later copy never rewrites what was seen first', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    // Held out of order: "BBBB" at 4; then a conflicting "XXXXXX" at 2 covering it; then the start.
    s.push(4, seg('BBBB'));
    s.push(2, seg('XXXXXXXX'));
    assert.equal(text(chunksOf(s.push(0, seg('AA')))), 'AAXXBBBBXX');
    // And after delivery: a rewrite of delivered bytes is ignored, only the new tail counts.
    assert.equal(text(chunksOf(s.push(8, seg('ZZZZ')))), 'ZZ');
  });

  test('sequence numbers wrap around 2^32', () => {
    const s = new StreamBuffer(1024);
    s.start(0xfffffffe);
    assert.deepEqual(chunksOf(s.push(0, seg('cd'))), []);
    assert.equal(text(chunksOf(s.push(0xfffffffe, seg('ab')))), 'abcd');
  });

  test('memory is bounded: past the limit the gap is given up and counted as missed', () => {
    const s = new StreamBuffer(8);
    s.start(0);
    assert.deepEqual(chunksOf(s.push(10, seg('12345'))), []);
    const d = s.push(15, seg('67890'));
    assert.equal(d.missed, 10);
    assert.equal(text(chunksOf(d)), '1234567890');
    assert.equal(s.bufferedBytes, 0);
  });

  test('flush delivers what is held, skipping gaps', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(5, seg('later'));
    const d = s.flush();
    assert.equal(d.missed, 5);
    assert.equal(text(chunksOf(d)), 'later');
  });

  test('one delivery for every stream, refilled by every call (a segment costs no object)', () => {
    const s = new StreamBuffer(1024);
    const other = new StreamBuffer(1024);
    s.start(0);
    other.start(0);
    const first = s.push(0, seg('ab'));
    assert.equal(text(chunksOf(first)), 'ab');
    const second = s.push(2, seg('cd'));
    assert.equal(second, first);
    assert.equal(text(chunksOf(second)), 'cd', 'the previous chunk is gone from it');
    assert.equal(chunksOf(s.push(2, seg('cd'))).length, 0);
    const third = other.push(0, seg('xy'));
    assert.equal(third, first, "another stream's call refills the same delivery");
    assert.equal(text(chunksOf(third)), 'xy');
    s.push(4, seg('ef'));
    assert.equal(text(chunksOf(third)), 'ef', 'read before the next call, on any stream');
  });

  test('each chunk says how many bytes were given up right before it (a content gap)', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(0, seg('ab'));
    s.push(5, seg('fg'));
    s.push(10, seg('kl'));
    const d = s.flush();
    assert.deepEqual(
      chunksOf(d).map((c) => Buffer.from(c).toString('latin1')),
      ['fg', 'kl'],
    );
    assert.deepEqual(gapsOf(d), [3, 3]);
    assert.equal(d.missed, 6);
    assert.deepEqual(gapsOf(s.push(12, seg('mn'))), [0]);
  });

  test('a hole its receiver acknowledged past is given up at once; one it did not is held', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(0, seg('ab'));
    assert.deepEqual(chunksOf(s.push(5, seg('fg'))), [], 'the hole [2, 5) may still come');
    // Acknowledging short of the held bytes proves nothing about them.
    assert.deepEqual(chunksOf(s.acked(4)), []);
    const d = s.acked(7);
    assert.equal(text(chunksOf(d)), 'fg');
    assert.deepEqual(gapsOf(d), [3]);
    assert.equal(s.bufferedBytes, 0);
    // A late copy of the given-up bytes changes nothing.
    assert.deepEqual(chunksOf(s.push(2, seg('cde'))), []);
  });

  test('an acknowledgement that came before the bytes behind the hole gives the hole up when they come', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(0, seg('ab'));
    assert.deepEqual(chunksOf(s.acked(9)), []);
    const d = s.push(5, seg('fg'));
    assert.equal(text(chunksOf(d)), 'fg');
    assert.deepEqual(gapsOf(d), [3]);
  });

  test('an acknowledgement far beyond anything sent, or behind, is no acknowledgement', () => {
    const s = new StreamBuffer(1024);
    s.start(0);
    s.push(5, seg('fg'));
    assert.deepEqual(chunksOf(s.acked(0x7fff0000)), []);
    assert.deepEqual(chunksOf(s.acked(0xffffff00)), []);
    assert.equal(s.bufferedBytes, 2);
  });
});
