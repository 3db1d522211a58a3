import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hashText } from '../../src/logs/lineCore.js';

describe('hashText', () => {
  it('is SHA-256 of the latin1 bytes, base64url, for ASCII and non-ASCII text alike', () => {
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(fc.oneof(latin1, fc.string()), (text) => {
        const expected = createHash('sha256').update(text, 'latin1').digest('base64url');
        assert.equal(hashText(text), expected.slice(0, 16));
        assert.equal(hashText(text, 22), expected.slice(0, 22));
      }),
      { numRuns: 2000 },
    );
  });
});
