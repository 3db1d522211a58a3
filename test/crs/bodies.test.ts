import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DEPTH, parseJsonBody } from '../../src/crs/bodies/json.js';
import { parseMultipart } from '../../src/crs/bodies/multipart.js';
import { parseUrlencoded } from '../../src/crs/bodies/urlencoded.js';
import { parseXmlBody } from '../../src/crs/bodies/xml.js';

describe('body processors', () => {
  it('urlencoded: ModSecurity v2 splitting and decoding', () => {
    assert.deepEqual(parseUrlencoded('a=1&&b=x+y%21&c&d=%zz'), [
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y!' },
      { name: 'c', value: '' },
      { name: 'd', value: '%zz' },
    ]);
  });

  it('JSON: dotted names, arrays under their name, UTF-8 bytes, errors and the depth limit', () => {
    const r = parseJsonBody(Buffer.from('{"a":{"b":[1,"é",null]},"t":true}', 'utf8').toString('latin1'));
    assert.ok(r.ok);
    assert.deepEqual(r.args, [
      { name: 'a.b', value: '1' },
      { name: 'a.b', value: '\xc3\xa9' },
      { name: 'a.b', value: '' },
      { name: 't', value: 'true' },
    ]);
    assert.equal(parseJsonBody('{"a":').ok, false);
    const deep = `${'['.repeat(MAX_DEPTH + 2)}${']'.repeat(MAX_DEPTH + 2)}`;
    assert.equal(parseJsonBody(deep).ok, false);
  });

  it('multipart: fields, files, part headers and the irregularities ModSecurity flags', () => {
    const body = [
      'preamble',
      '--b',
      'Content-Disposition: form-data; name="f"; filename="..\\x.php"',
      'Content-Type: application/x-php',
      '',
      '<?php ?>',
      '--b',
      'Content-Disposition: form-data; name="text"',
      '',
      'hello',
      '--b--',
      '',
    ].join('\r\n');
    const r = parseMultipart(body, 'multipart/form-data; boundary="b"');
    assert.equal(r.error, null);
    assert.deepEqual(r.args, [{ name: 'text', value: 'hello' }]);
    assert.deepEqual(r.files, [{ field: 'f', filename: '..\\x.php', size: 8 }]);
    assert.deepEqual(
      r.partHeaders.map(([name, line]) => `${name}|${line}`),
      [
        'f|Content-Disposition: form-data; name="f"; filename="..\\x.php"',
        'f|Content-Type: application/x-php',
        'text|Content-Disposition: form-data; name="text"',
      ],
    );
    assert.equal(r.flags.boundaryQuoted, true);
    assert.equal(r.flags.dataBefore, true);
    assert.equal(parseMultipart('--b\r\nx', 'multipart/form-data; boundary=b').error !== null, true);
    assert.equal(parseMultipart('x', 'multipart/form-data').error !== null, true);
  });

  it('XML: the document text (/*) and attribute values (//@*), no entity expansion', () => {
    const r = parseXmlBody(
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a k="v&amp;w"><b>one</b><![CDATA[<two>]]>&x;&#65;</a>',
    );
    assert.ok(r.ok);
    assert.equal(r.text, 'one<two>&x;A');
    assert.deepEqual(r.attributes, ['v&w']);
    assert.equal(parseXmlBody('<a><b></a>').ok, false);
    assert.equal(parseXmlBody('not xml').ok, false);
  });
});
