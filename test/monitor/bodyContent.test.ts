import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { bodyContent, MAX_DECODED } from '../../src/monitor/log/info/bodyContent.js';

describe('a message body as the media dissectors see it', () => {
  test('a compressed body decodes to its content; as sent when not encoded or not decodable', () => {
    const page = Buffer.from('<?xml version="1.0"?><html/>');
    const gz = gzipSync(page);
    assert.deepEqual(Buffer.from(bodyContent('gzip', gz, gz.length).prefix), page);
    assert.equal(bodyContent('gzip', gz, gz.length).length, page.length);
    assert.equal(bodyContent('identity', page, page.length).prefix, page);
    const garbage = Buffer.from('not compressed at all');
    assert.equal(bodyContent('deflate', garbage, garbage.length).length, 0, 'undecodable: nothing for the dissectors');
    const raw = deflateRawSync(page);
    assert.deepEqual(Buffer.from(bodyContent('deflate', raw, raw.length).prefix), page);
  });

  test('only the start of a long compressed body is decoded; its length is then "at least"', () => {
    // Letters from a xorshift generator: text that gzip cannot shrink much.
    let x = 0x2545f491;
    const text = Buffer.alloc(20_000);
    for (let i = 0; i < text.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      text[i] = 97 + ((x >>> 0) % 26);
    }
    const gz = gzipSync(text);
    const start = bodyContent('gzip', gz.subarray(0, 512), gz.length);
    assert.ok(start.prefix.length > 0 && start.prefix.length < text.length);
    assert.deepEqual(Buffer.from(start.prefix), text.subarray(0, start.prefix.length));
    assert.ok(start.length >= 1);
  });

  test('a decompression bomb stops at MAX_DECODED: 106 bytes of brotli that stand for 64 MB', () => {
    const bomb = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 512);
    const before = process.memoryUsage().arrayBuffers;
    const body = bodyContent('br', bomb, bomb.length);
    assert.equal(body.length, MAX_DECODED, 'known to be there');
    assert.equal(body.prefix.length, 0, 'but not decoded past the bound');
    assert.ok(process.memoryUsage().arrayBuffers - before < 8 * MAX_DECODED);
  });
});
