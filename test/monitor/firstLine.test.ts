import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectPortAt, methodAt, statusAt, upperMethod } from '../../src/monitor/protocols/http/firstLine.js';
import { authorityPort } from '../../src/monitor/protocols/http/headFacts.js';

/** The first line as its text was read before: the line without a CR before its LF. */
function text(head: string): string {
  const lf = head.indexOf('\n');
  const line = head.slice(0, lf);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The status as it was read off the line's text. */
function textStatus(line: string): number {
  const space = line.indexOf(' ');
  if (space < 0 || line.length < space + 4) return Number.NaN;
  const digits = line.slice(space + 1, space + 4);
  return /^\d{3}$/.test(digits) ? Number(digits) : Number.NaN;
}

const LINES = [
  'GET / HTTP/1.1',
  'get /x HTTP/1.0',
  'POST',
  'CONNECT host:443 HTTP/1.1',
  'GETS / HTTP/1.1',
  'GE / HTTP/1.1',
  'M-SEARCH * HTTP/1.1',
  'OPTIONS\t* HTTP/1.1',
  'HTTP/1.1 200 OK',
  'HTTP/1.1 20',
  'HTTP/1.1 2x0 OK',
  'ICY 200 OK',
  'HTTP/1.0 404',
  'HTTP/1.1  200 OK',
  '\u00ffET / HTTP/1.1',
  'x',
];

describe('a first line read off the bytes', () => {
  test('gives the method and status its text gives, with LF or CRLF, in place at any offset', () => {
    for (const line of LINES)
      for (const end of ['\n', '\r\n', '\r\r\n'])
        for (const before of ['', 'junk before']) {
          const head = `${line}${end}Host: a${end}${end}`;
          const bytes = Buffer.from(before + head, 'latin1');
          const start = before.length;
          const lf = bytes.indexOf(0x0a, start);
          const t = text(head);
          const space = t.indexOf(' ');
          assert.equal(methodAt(bytes, start, lf), space < 0 ? t : t.slice(0, space), JSON.stringify(head));
          assert.equal(statusAt(bytes, start, lf), textStatus(t), JSON.stringify(head));
        }
  });

  test('reads a CONNECT\u2019s port as its text reads it', () => {
    const targets = [
      'host:25',
      'host:443',
      'host',
      'host:',
      ':25',
      'host:0',
      'host:65535',
      'host:65536',
      'host:99999',
      'host:0x19',
      'host:000025',
      'host:2 5',
      'h:1:2',
      '[::1]:8443',
      '[::1]',
      'host:25]',
      'host:+25',
      'host:1e1',
      'host:25.',
    ];
    for (const target of targets)
      for (const line of [`CONNECT ${target} HTTP/1.1`, `CONNECT ${target}`, `CONNECT  ${target} HTTP/1.1`, 'CONNECT'])
        for (const end of ['\n', '\r\n']) {
          const bytes = Buffer.from(`xx${line}${end}`, 'latin1');
          const lf = bytes.indexOf(0x0a);
          assert.equal(connectPortAt(bytes, 2, lf), authorityPort(line), JSON.stringify(line));
        }
  });

  test('upper-cases any method, the common ones as given', () => {
    assert.equal(upperMethod('GET'), 'GET');
    assert.equal(upperMethod('get'), 'GET');
    assert.equal(upperMethod('Connect'), 'CONNECT');
    assert.equal(upperMethod('m-search'), 'M-SEARCH');
  });
});
