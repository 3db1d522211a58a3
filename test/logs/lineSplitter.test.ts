import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../src/logs/lineSplitter.js';

describe('LineSplitter', () => {
  it('cuts a line longer than maxLine wherever it falls in a chunk, and drops the rest of it', () => {
    const s = new LineSplitter(4);
    // First in its chunk, in the middle, and spread over two chunks.
    assert.deepEqual(s.push(Buffer.from('abcdefg\nok\nhijklmn\npq')), ['abcd', 'ok', 'hijk']);
    assert.deepEqual(s.push(Buffer.from('rstu\nend')), ['pqrs']);
    assert.deepEqual(s.flush(), ['end']);
  });

  it('keeps a line of exactly maxLine and an empty line', () => {
    const s = new LineSplitter(4);
    assert.deepEqual(s.push(Buffer.from('abcd\n\nxy')), ['abcd', '']);
    assert.deepEqual(s.flush(), ['xy']);
  });
});
