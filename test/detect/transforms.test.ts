import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressWhitespace } from '../../src/detect/transforms/compressWhitespace.js';
import { htmlEntityDecode } from '../../src/detect/transforms/htmlEntityDecode.js';
import { applyTransforms } from '../../src/detect/transforms/index.js';
import { lowercase } from '../../src/detect/transforms/lowercase.js';
import { normalizePath } from '../../src/detect/transforms/normalizePath.js';
import { removeNulls } from '../../src/detect/transforms/removeNulls.js';
import { unicodeFold } from '../../src/detect/transforms/unicodeFold.js';
import { urlDecode } from '../../src/detect/transforms/urlDecode.js';

describe('urlDecode', () => {
  it('decodes repeatedly (double and triple encoding)', () => {
    assert.equal(urlDecode('%2e%2e%2f'), '../');
    assert.equal(urlDecode('%252e%252e%252f'), '../');
    assert.equal(urlDecode('%25252e'), '.');
  });
  it('decodes %uXXXX and + as space', () => {
    assert.equal(urlDecode('%u003cscript%u003e'), '<script>');
    assert.equal(urlDecode('a+b'), 'a b');
    assert.equal(urlDecode('%uff0e'), '\uff0e');
  });
  it('leaves invalid escapes alone and never throws', () => {
    assert.equal(urlDecode('100%'), '100%');
    assert.equal(urlDecode('%zz%4'), '%zz%4');
    assert.equal(urlDecode('%%35c'), '\\');
  });
  it('keeps bytes as latin1 characters', () => {
    assert.equal(urlDecode('%c0%af'), '\u00c0\u00af');
  });
});

describe('normalizePath', () => {
  it('resolves dot segments, doubled slashes and backslashes', () => {
    assert.equal(normalizePath('/a/./b/../c'), '/a/c');
    assert.equal(normalizePath('//a///b'), '/a/b');
    assert.equal(normalizePath('\\a\\..\\.env'), '/.env');
    assert.equal(normalizePath('/admin/../../../.git/config'), '/.git/config');
    assert.equal(normalizePath('/dir/'), '/dir/');
    assert.equal(normalizePath('../../etc/passwd'), 'etc/passwd');
  });
  it('returns plain paths unchanged', () => {
    assert.equal(normalizePath('/index.html'), '/index.html');
  });
});

describe('the other transforms', () => {
  it('lowercase', () => assert.equal(lowercase('SeLeCt ÀB'), 'select àb'));
  it('removeNulls', () => assert.equal(removeNulls('shell.php\0.jpg'), 'shell.php.jpg'));
  it('htmlEntityDecode', () => {
    assert.equal(htmlEntityDecode('&lt;script&gt;'), '<script>');
    assert.equal(htmlEntityDecode('&#x6a;&#97;v&#x61'), 'java');
    assert.equal(htmlEntityDecode('&colon;&unknown;'), ':&unknown;');
  });
  it('compressWhitespace', () => assert.equal(compressWhitespace('union\t\n  select\u00a0x'), 'union select x'));
  it('unicodeFold: overlong UTF-8, fullwidth forms, slash look-alikes', () => {
    assert.equal(unicodeFold('\u00c0\u00ae\u00c0\u00ae\u00c0\u00af'), '../');
    assert.equal(unicodeFold('\u00e0\u0080\u00ae'), '.');
    assert.equal(unicodeFold('\u00f0\u0080\u0080\u00ae'), '.');
    assert.equal(unicodeFold('\uff0e\uff0e\u2215'), '../');
    assert.equal(unicodeFold('\uff1cscript\uff1e'), '<script>');
    assert.equal(unicodeFold('caf\u00e9'), 'caf\u00e9');
  });
  it('applies a chain in order', () => {
    assert.equal(applyTransforms('%2E%2E%5C%2E%2E%5CWindows', ['urlDecode', 'normalizePath', 'lowercase']), 'windows');
    assert.equal(applyTransforms('%uff0e%uff0e%u2215etc', ['urlDecode', 'unicodeFold']), '../etc');
  });
});
