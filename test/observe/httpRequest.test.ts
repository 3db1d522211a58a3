import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHttpRequest, parseRawRequest } from '../../src/observe/index.js';

describe('buildHttpRequest', () => {
  it('keeps the seed four-token CONNECT line as received and names its fault', () => {
    const r = buildHttpRequest({ line: 'CONNECT maila.microsoft.com:25 / HTTP/1.0' });
    assert.equal(r.line, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.equal(r.method, 'CONNECT');
    assert.equal(r.target, 'maila.microsoft.com:25');
    assert.equal(r.version, 'HTTP/1.0');
    assert.equal(r.form, 'authority');
    assert.deepEqual(r.authority, { host: 'maila.microsoft.com', port: 25 });
    assert.match(r.malformed ?? '', /4 tokens/);
  });

  it('recognises the absolute-form proxy probe', () => {
    const r = buildHttpRequest({ line: 'GET http://irc.stealth.net:5558/ HTTP/1.1' });
    assert.equal(r.form, 'absolute');
    assert.deepEqual(r.authority, { host: 'irc.stealth.net', port: 5558 });
    assert.equal(r.path, '/');
    assert.equal(r.malformed, null);
  });

  it('splits origin-form path and query and drops the fragment', () => {
    const r = buildHttpRequest({ line: 'GET /a/b?x=1&y=%27#frag HTTP/1.1' });
    assert.equal(r.form, 'origin');
    assert.equal(r.path, '/a/b');
    assert.equal(r.query, 'x=1&y=%27');
  });

  it('bounds a 100 kB request line and says so', () => {
    const r = buildHttpRequest({ line: `GET /${'a'.repeat(100_000)} HTTP/1.1` });
    assert.equal(r.lineTruncated, true);
    assert.equal(r.line.length, 8192);
    assert.equal(r.malformed, 'request line without HTTP version');
  });

  it('flags binary garbage without throwing', () => {
    const r = buildHttpRequest({ line: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' });
    assert.match(r.malformed ?? '', /control or non-ASCII/);
  });

  it('parses IPv6 authorities', () => {
    const r = buildHttpRequest({ line: 'GET http://[2001:DB8::1]:8080/x HTTP/1.1' });
    assert.deepEqual(r.authority, { host: '2001:db8::1', port: 8080 });
  });
});

describe('parseRawRequest', () => {
  it('reads headers and a body prefix with CRLF or LF endings', () => {
    const crlf = parseRawRequest('POST /login HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\nuser=1');
    assert.deepEqual(crlf.headers, [
      ['host', 'a'],
      ['user-agent', 'x'],
    ]);
    assert.equal(crlf.bodyPrefix, 'user=1');
    const lf = parseRawRequest('GET / HTTP/1.0\nHost: b\n\n');
    assert.deepEqual(lf.headers, [['host', 'b']]);
  });
});
