import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTransformation, transformationByName } from '../../src/crs/transformations/index.js';

/** ModSecurity v2's results for each transformation (values are byte strings). */
const CASES: ReadonlyArray<[string, string, string]> = [
  ['urlDecode', 'a%20b+c%3', 'a b c%3'],
  ['urlDecode', '%u0041', '%u0041'],
  ['urlDecodeUni', '%u0041%uff1c%zz%2', 'A<%zz%2'],
  ['urlDecodeUni', '%252e', '%2e'],
  ['htmlEntityDecode', '&lt;&#60;&#x3c;&#x3C&quot;&nbsp;&apos;&unknown;', '<<<<"\xa0&apos;&unknown;'],
  ['htmlEntityDecode', '&#x4141;', 'A'],
  ['jsDecode', '\\x3c\\u003c\\uff1c\\074\\n\\q', '<<<<\nq'],
  ['cssDecode', '\\3c \\00003c\\ff1c\\\nx\\z', '<<<xz'],
  ['escapeSeqDecode', '\\x41\\101\\n\\\\\\q', 'AA\n\\q'],
  ['sqlHexDecode', 'select 0x414243', 'select ABC'],
  ['base64Decode', 'PHNjcmlwdD4=!!', '<script>'],
  ['hexEncode', '<a', '3c61'],
  ['length', 'héllo', '5'],
  ['lowercase', 'ABC\xc9', 'abc\xc9'],
  ['compressWhitespace', 'a \t\n\xa0b  c', 'a b c'],
  ['removeWhitespace', 'a b\tc\xa0d', 'abcd'],
  ['removeNulls', 'a\0b', 'ab'],
  ['replaceComments', 'a/*x*/b/*open', 'a b '],
  ['removeCommentsChar', 'a/*b*/c--d#e', 'abcde'],
  ['cmdLine', 'C^a"t\' ,/ETC ;(x)\\y', 'cat/etc(x)y'],
  ['normalizePath', '/a/./b/../../../c//d/', '/c/d/'],
  ['normalizePath', 'a/../../b', '../b'],
  ['normalizePathWin', 'c:\\a\\..\\b', 'c:/b'],
  ['utf8toUnicode', 'a\xc3\xa9\xe2\x82\xac\xff', 'a%u00e9%u20ac\xff'],
  ['trim', ' \t a b \n', 'a b'],
  ['sha1', 'abc', Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex').toString('latin1')],
];

describe('transformations (ModSecurity v2 semantics)', () => {
  for (const [name, input, want] of CASES)
    it(`${name}(${JSON.stringify(input)})`, () => {
      const t = transformationByName(name);
      assert.ok(t !== undefined, `${name} is known`);
      assert.equal(applyTransformation(t, input), want);
    });

  it('every transformation is linear in its input (1 MiB of hostile text, each well under a second)', () => {
    const hostile = "' or (((( ${${ <a on x=;|`$( /* \\x41 %u0041 &#x41; ".repeat(1 << 15).slice(0, 1 << 20);
    for (const [name] of CASES) {
      const t = transformationByName(name);
      assert.ok(t !== undefined);
      const started = performance.now();
      applyTransformation(t, hostile);
      // A quadratic pass over 1 MiB takes minutes; linear ones take milliseconds.
      assert.ok(performance.now() - started < 3000, name);
    }
  });

  it('names are case-insensitive (CRS writes base64Decode and base64decode)', () => {
    assert.equal(transformationByName('base64decode'), transformationByName('Base64Decode'));
    assert.equal(transformationByName('nope'), undefined);
  });
});
