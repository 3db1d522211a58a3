import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawKeys } from '../../src/monitor/judge/rawKeys.js';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('RawKeys (a judged request’s memo key found by its bytes)', () => {
  test('finds a remembered key by equal bytes in another buffer, with the same reason only', () => {
    const keys = new RawKeys();
    keys.remember(bytes('GET / HTTP/1.1\r\n\r\n'), null, 'k1');
    assert.equal(keys.known(new Uint8Array(bytes('GET / HTTP/1.1\r\n\r\n')), null), 'k1');
    assert.equal(keys.known(bytes('GET / HTTP/1.1\r\n\r\n'), 'request head incomplete'), null);
    assert.equal(keys.known(bytes('GET /x HTTP/1.1\r\n\r\n'), null), null);
    assert.equal(keys.known(bytes('GET / HTTP/1.1\r\n\r'), null), null);
  });

  test('never gives another request’s key, whatever lands in the same slot', () => {
    const keys = new RawKeys();
    const requests = Array.from({ length: 20000 }, (_, i) => bytes(`GET /${i} HTTP/1.1\r\n\r\n`));
    for (const [i, r] of requests.entries()) keys.remember(r, null, `k${i}`);
    let found = 0;
    requests.forEach((r, i) => {
      const key = keys.known(bytes(Buffer.from(r).toString('latin1')), null);
      if (key !== null) found++;
      assert.ok(key === null || key === `k${i}`, `request ${i} got ${key}`);
    });
    assert.ok(found > 1000, `most recent requests are found (${found})`);
  });

  test('keeps no request longer than the memo keeps a key', () => {
    const keys = new RawKeys();
    const long = new Uint8Array(5000).fill(0x41);
    keys.remember(long, null, 'long');
    assert.equal(keys.known(long, null), null);
  });
});
