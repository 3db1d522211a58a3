import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

describe('buildHttpRequest on arbitrary lines', () => {
  const unit = fc.constantFrom(' ', '\t', 'G', 'E', 'T', '/', '?', '#', 'H', 'P', '1', '.', 'x', ':', '\x01', 'é');
  const line = fc.oneof(
    fc.string({ unit, maxLength: 40 }),
    fc
      .tuple(
        fc.constantFrom('GET', 'CONNECT', 'G\tT', ''),
        fc.string({ unit, maxLength: 20 }),
        fc.constantFrom('HTTP/1.1', 'HTTP/2', 'HTTP/1.', 'HTTP/x', 'HTTP/1.10', ''),
      )
      .map(([m, t, v]) => `${m} ${t} ${v}`),
  );

  it('splits tokens at runs of spaces and tabs and reads the version as /^HTTP\\/\\d(\\.\\d)?$/ does', () => {
    fc.assert(
      fc.property(line, (text) => {
        const tokens = text.split(/[ \t]+/).filter((t) => t !== '');
        const last = tokens.length > 2 ? (tokens[tokens.length - 1] as string) : (tokens[2] ?? '');
        const r = buildHttpRequest({ line: text });
        assert.equal(r.method, tokens[0] ?? '');
        assert.equal(r.target, tokens[1] ?? '');
        assert.equal(r.version, /^HTTP\/\d(\.\d)?$/.test(last) ? last : '');
        if (tokens.length > 3 && r.malformed?.includes('tokens'))
          assert.match(r.malformed, new RegExp(`has ${tokens.length} tokens`));
      }),
      { numRuns: 3000 },
    );
  });

  it('lower-cases header names and bounds values, keeping headers that already fit', () => {
    const fitting = [['user-agent', 'x']] as const;
    assert.equal(buildHttpRequest({ line: 'GET / HTTP/1.1', headers: fitting }).headers, fitting);
    const r = buildHttpRequest({
      line: 'GET / HTTP/1.1',
      headers: [
        ['User-Agent', 'y'.repeat(9000)],
        ['ÀB', 'z'],
      ],
    });
    assert.deepEqual(r.headers, [
      ['user-agent', 'y'.repeat(8192)],
      ['àb', 'z'],
    ]);
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

  it('reads lines as `split(/\\r?\\n/)` would, headers bounded as buildHttpRequest bounds them', () => {
    // The head ends at the first blank line of either kind; a CR before an LF is no part of a line.
    const mixed = parseRawRequest('GET /a HTTP/1.1\r\nHost: x\r\n\nbody\r\n\r\nmore');
    assert.deepEqual(mixed.headers, [['host', 'x']]);
    assert.equal(mixed.bodyPrefix, 'body\r\n\r\nmore');
    // No blank line: every line is the head's, the last keeps its CR (trimmed off a value).
    const open = parseRawRequest('GET /b HTTP/1.1\r\n:no name\r\nNo-Colon\r\nX-A:  1 \r');
    assert.deepEqual(open.headers, [['x-a', '1']]);
    assert.equal(open.line, 'GET /b HTTP/1.1');
    assert.equal(parseRawRequest('GET /c HTTP/1.1\r').line, 'GET /c HTTP/1.1\r');
    const many = Array.from({ length: 120 }, (_, i) => `H-${i}: ${i === 2 ? 'v'.repeat(9000) : 'v'}`).join('\r\n');
    const bounded = parseRawRequest(`GET / HTTP/1.1\r\n${many}\r\n\r\n`);
    assert.equal(bounded.headers.length, 100);
    assert.deepEqual(bounded.headers[0], ['h-0', 'v']);
    assert.equal(bounded.headers[2]?.[1].length, 8192);
    // Bytes as latin1, a view into a larger buffer read from its own offset.
    const big = Buffer.from('xxGET /d HTTP/1.1\r\nUser-Agent: \xe9\r\n\r\n', 'latin1');
    const view = parseRawRequest(new Uint8Array(big.buffer, big.byteOffset + 2, big.length - 2));
    assert.equal(view.line, 'GET /d HTTP/1.1');
    assert.deepEqual(view.headers, [['user-agent', '\xe9']]);
  });
});
