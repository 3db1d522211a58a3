import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIPv6 } from '../../src/observe/ipText.js';

describe('formatIPv6', () => {
  it('compresses the longest zero run, first on a tie, never a single group', () => {
    assert.equal(formatIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
    assert.equal(formatIPv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatIPv6([0x2001, 0xdb8, 1, 2, 0, 0, 0, 0]), '2001:db8:1:2::');
    assert.equal(formatIPv6([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  });

  it('keeps a dotted tail for IPv4-mapped and IPv4-compatible addresses, as inet_ntop does', () => {
    assert.equal(formatIPv6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), '::ffff:192.0.2.1');
    assert.equal(formatIPv6([0, 0, 0, 0, 0, 0, 0xc000, 0x0201]), '::192.0.2.1');
  });

  it('always yields an address that parses back to the same groups', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const text = formatIPv6(groups);
          assert.ok(isIPv6(text), text);
          const url = new URL(`http://[${text}]/`);
          assert.equal(url.hostname, new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname);
        },
      ),
    );
  });
});
