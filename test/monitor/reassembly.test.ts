import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamBuffer } from '../../src/monitor/tcp/streamBuffer.js';

const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString('latin1');
const seg = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('TCP stream reassembly', () => {
  test('in-order segments pass straight through', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(100);
    assert.equal(text(s.push(100, seg('GET ')).chunks), 'GET ');
    assert.equal(text(s.push(104, seg('/ HTTP/1.1')).chunks), '/ HTTP/1.1');
  });

  test('out-of-order segments are held until the gap fills', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0);
    assert.deepEqual(s.push(4, seg('/x ')).chunks, []);
    assert.deepEqual(s.push(7, seg('HTTP/1.0')).chunks, []);
    assert.equal(s.bufferedBytes, 11);
    assert.equal(text(s.push(0, seg('GET ')).chunks), 'GET /x HTTP/1.0');
    assert.equal(s.bufferedBytes, 0);
  });

  test('a retransmission of delivered data is dropped', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0);
    s.push(0, seg('abcd'));
    assert.deepEqual(s.push(0, seg('abcd')).chunks, []);
    assert.equal(text(s.push(2, seg('cdef')).chunks), 'ef');
  });

  test('overlaps are resolved first-wins: a later copy never rewrites what was seen first', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0);
    // Held out of order: "BBBB" at 4; then a conflicting "XXXXXX" at 2 covering it; then the start.
    s.push(4, seg('BBBB'));
    s.push(2, seg('XXXXXXXX'));
    assert.equal(text(s.push(0, seg('AA')).chunks), 'AAXXBBBBXX');
    // And after delivery: a rewrite of delivered bytes is ignored, only the new tail counts.
    assert.equal(text(s.push(8, seg('ZZZZ')).chunks), 'ZZ');
  });

  test('sequence numbers wrap around 2^32', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0xfffffffe);
    assert.deepEqual(s.push(0, seg('cd')).chunks, []);
    assert.equal(text(s.push(0xfffffffe, seg('ab')).chunks), 'abcd');
  });

  test('memory is bounded: past the limit the gap is given up and counted as missed', () => {
    const s = new StreamBuffer({ maxBuffered: 8 });
    s.start(0);
    assert.deepEqual(s.push(10, seg('12345')).chunks, []);
    const d = s.push(15, seg('67890'));
    assert.equal(d.missed, 10);
    assert.equal(text(d.chunks), '1234567890');
    assert.equal(s.bufferedBytes, 0);
  });

  test('flush delivers what is held, skipping gaps', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0);
    s.push(5, seg('later'));
    const d = s.flush();
    assert.equal(d.missed, 5);
    assert.equal(text(d.chunks), 'later');
  });

  test('one delivery per stream, refilled by every push (a segment costs no object)', () => {
    const s = new StreamBuffer({ maxBuffered: 1024 });
    s.start(0);
    const first = s.push(0, seg('ab'));
    assert.equal(text(first.chunks), 'ab');
    const second = s.push(2, seg('cd'));
    assert.equal(second, first);
    assert.equal(text(second.chunks), 'cd', 'the previous chunk is gone from it');
    assert.equal(s.push(2, seg('cd')).chunks.length, 0);
  });
});
