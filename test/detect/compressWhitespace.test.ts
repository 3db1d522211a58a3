import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressWhitespace } from '../../src/detect/transforms/compressWhitespace.js';

const reference = (value: string) => value.replace(/[\s\u00a0]+/g, ' ');

describe('compressWhitespace fast path', () => {
  it('agrees with the plain replacement for every BMP character, alone and beside a space', () => {
    for (let code = 0; code < 0x10000; code++) {
      const c = String.fromCharCode(code);
      for (const value of [`a${c}b`, `a ${c}b`, `${c}${c}`]) assert.equal(compressWhitespace(value), reference(value));
    }
  });
  it('leaves single spaces alone and returns the same string when there is nothing to do', () => {
    const value = 'get /a b c http/1.1';
    assert.equal(compressWhitespace(value), value);
    assert.equal(compressWhitespace('a  b\t\tc'), 'a b c');
  });
});
