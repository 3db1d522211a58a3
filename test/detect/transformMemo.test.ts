import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetOf } from '../../src/detect/compile.js';
import { httpObservation } from '../../src/detect/examples.js';
import { FieldContext, TRANSFORM_MEMO } from '../../src/detect/fields.js';
import { applyTransforms, type TransformName } from '../../src/detect/transforms/index.js';

const CHAIN: TransformName[] = ['urlDecode', 'htmlEntityDecode', 'lowercase', 'compressWhitespace'];
const read = (raw: string) => new FieldContext(httpObservation(raw)).get(targetOf('args.values', CHAIN));

describe('transformation chains remember raw values seen before', () => {
  it('gives a repeated value what the chain gives it', () => {
    const raw = 'GET /?a=%3CScript%3E%26lt;B%09%0aX&b=plain HTTP/1.1\n\n';
    const expected = ['%3CScript%3E%26lt;B%09%0aX', 'plain'].map((v) => applyTransforms(v, CHAIN));
    assert.deepEqual(read(raw), expected);
    assert.deepEqual(read(raw), expected);
  });

  it('transforms values longer than the memo length step by step, with the same result', () => {
    const long = `%41${'b'.repeat(TRANSFORM_MEMO.maxLength)}%26amp;`;
    const raw = `GET /?x=${long}&y=%42 HTTP/1.1\n\n`;
    const expected = [long, '%42'].map((v) => applyTransforms(v, CHAIN));
    assert.deepEqual(read(raw), expected);
    assert.deepEqual(read(raw), expected);
  });

  it('stays right after a flood of distinct values has emptied the memo', () => {
    for (let i = 0; i < TRANSFORM_MEMO.entries + 10; i++)
      assert.deepEqual(read(`GET /?v=%5${i % 10}${i} HTTP/1.1\n\n`), [applyTransforms(`%5${i % 10}${i}`, CHAIN)]);
    assert.deepEqual(read('GET /?v=A%2fB HTTP/1.1\n\n'), ['a/b']);
  });
});
