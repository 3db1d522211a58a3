import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lineStart, messageStart } from '../../src/monitor/protocols/http/messageStart.js';

/** tshark's test of a first line, as the framer's bytes give it: the line and its LF. */
function byBytes(line: string) {
  return messageStart(Buffer.from(`${line}\n`, 'latin1'), 0);
}

const PIECES = [
  'GET',
  'M-',
  'M-SEARCH',
  'POST',
  'HTTP/',
  'HTTP/1.1',
  'ICY',
  'IC',
  'get',
  'CCM_POST',
  ' ',
  '\r',
  '\n',
  '/',
  'x',
  'é',
  'M',
  '-',
];

test('a first line is named as its bytes are (methods, M- prefix, responses, the 20-byte token limit)', () => {
  for (const line of [
    '',
    'GET / HTTP/1.1',
    'GET',
    'M-SEARCH * HTTP/1.1',
    'M-POST /',
    'HTTP/1.1 200 OK',
    'ICY 200 OK',
    'M-HTTP/1.0 200',
    'get /',
    'FOO /',
    ' GET',
    'UNSUBSCRIBEUNSUBSCRIBE x',
    'BASELINE-CONTROL / HTTP/1.1',
    'MKREDIRECTREF',
    'UPDATEREDIRECTREF /',
  ]) {
    assert.deepEqual(lineStart(line), byBytes(line), JSON.stringify(line));
  }
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }), (parts) => {
      const line = parts.join('');
      assert.deepEqual(lineStart(line), byBytes(line), JSON.stringify(line));
    }),
    { numRuns: 5000 },
  );
});
