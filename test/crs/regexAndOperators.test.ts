import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RequestValue, triggersOf } from '../../src/crs/inspectedValue.js';
import { compileCrsRegex } from '../../src/crs/operators/backtrackSafeRegex.js';
import {
  hasByteOutside,
  hasInvalidUrlEncoding,
  hasInvalidUtf8,
  parseByteRanges,
} from '../../src/crs/operators/byteValidation.js';
import { atoi, containsWord } from '../../src/crs/operators/comparison.js';
import { re2ToJs } from '../../src/crs/operators/re2ToJs.js';
import { applyTransformation, transformationByName, triggerMask } from '../../src/crs/transformations/index.js';
import { ValueFacts } from '../../src/crs/valueFacts.js';
import { compileRegex } from '../../src/detect/regex.js';

/** Patterns in CRS's style: (?i), \s vs \x0b, classes with ranges, \x{..}, alternations, lazy quantifiers. */
const PATTERNS = [
  String.raw`(?i)\b(?:s(?:elect|leep)|union)[\s\x0b]+[0-9A-Z_a-z]+`,
  String.raw`(?i)<script[^>]*>.*?`,
  String.raw`['"\x5c;=]`,
  String.raw`(?i)[\-0-9_a-z]+=[^\s\x0b]*?`,
  String.raw`^(?:GET|HEAD)$`,
  String.raw`\x{bc}[^>\x{be}]*[>\x{be}]`,
  String.raw`(?i)(?:a(?:cap|f[ps])|b(?:lob))://`,
  String.raw`(?i)[\t-\r "'\(,/-9;=\x60]on[a-z]{3,5}[\t-\r \(,;]*?=`,
  String.raw`(?:^|[/;\x5c])\.{2,3}[/;\x5c]`,
  String.raw`(?i)[^0-9A-Z_a-z]`,
  String.raw`\bx\B.\z`,
];

const byteString = fc
  .array(fc.constantFrom(...'aAsSeElLcCtT uUnNiIoO<>/\\"\'=;:.%x0-_\t\n\x0b\xa0\xbc\xbe\xe9\xc9'.split('')), {
    maxLength: 40,
  })
  .map((chars) => chars.join(''));

describe('RE2 patterns on V8 (re2ToJs) agree with re2js', () => {
  for (const pattern of PATTERNS)
    it(pattern, () => {
      const fast = compileCrsRegex(pattern);
      assert.equal(fast.engine, 'v8', 'translatable and accepted by V8 linear engine');
      const reference = compileRegex(pattern, { dotAll: true });
      fc.assert(
        fc.property(byteString, (s) => {
          assert.equal(fast.test(s), reference.test(s), JSON.stringify(s));
          assert.deepEqual(fast.groups(s), reference.groups(s), JSON.stringify(s));
        }),
        { numRuns: 400 },
      );
    });

  it('refuses what does not translate exactly (re2js keeps those)', () => {
    for (const p of ['(?i:a)b', '[\\s\\S]', 'a\\Qb\\E', '[[:alpha:]]', '\\pL', '[\\S]', '(?P<n>a)', '(?i)\xe9'])
      assert.equal(re2ToJs(p), null, p);
    assert.equal(compileCrsRegex('(?i:a)b').engine, 're2js');
    assert.equal(compileCrsRegex('a{1,1000}').engine, 're2js', 'V8 linear engine refuses big counted repeats');
  });

  it('stays linear on hostile input (V8 falls back to its linear engine; long values go to re2js)', () => {
    for (const [pattern, unit] of [
      ['(a+)+$', 'a'],
      ['(?:x|xx)+y', 'x'],
      [String.raw`(?i)(?:[\s\x0b]*\(+)*;`, ' ('],
    ] as const) {
      const re = compileCrsRegex(pattern);
      for (const size of [200, 100_000]) {
        const started = performance.now();
        assert.equal(re.test(`${unit.repeat(size / unit.length)}!`), false);
        // Exponential backtracking on 200 characters would take longer than the universe exists.
        assert.ok(performance.now() - started < 5000, `${pattern} on ${size} characters`);
      }
    }
  });
});

describe('trigger bits (the quick path that skips transformations)', () => {
  const names = [
    'urlDecodeUni',
    'htmlEntityDecode',
    'jsDecode',
    'cssDecode',
    'cmdLine',
    'compressWhitespace',
    'removeWhitespace',
    'removeNulls',
    'replaceComments',
    'normalizePathWin',
    'utf8toUnicode',
    'sqlHexDecode',
    'lowercase',
    'trim',
  ];
  it('a value without a transformation’s trigger bits comes out unchanged; without those but `upper`, unchanged up to case', () => {
    const anyByte = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 30 }).map((a) => String.fromCharCode(...a));
    fc.assert(
      fc.property(fc.oneof(byteString, anyByte), fc.constantFrom(...names), (value, name) => {
        const t = transformationByName(name);
        assert.ok(t !== undefined);
        if ((triggersOf(value) & triggerMask(t)) !== 0) return;
        assert.equal(
          applyTransformation(t, value).toLowerCase(),
          value.toLowerCase(),
          `${name}(${JSON.stringify(value)})`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('computes them once per request value', () => {
    const v = new RequestValue('ARGS:a', new ValueFacts('%41'));
    assert.equal(v.triggers, triggersOf('%41'));
  });
});

describe('validation and comparison operators', () => {
  it('@validateByteRange', () => {
    const allowed = parseByteRanges('9,10,13,32-126');
    assert.ok(allowed instanceof Uint8Array);
    assert.equal(hasByteOutside('plain text\n', allowed), false);
    assert.equal(hasByteOutside('nul\0', allowed), true);
    assert.equal(hasByteOutside('\xe9', allowed), true);
    assert.equal(typeof parseByteRanges('1-300'), 'string');
  });

  it('@validateUrlEncoding and @validateUtf8Encoding', () => {
    assert.equal(hasInvalidUrlEncoding('a%20b'), false);
    assert.equal(hasInvalidUrlEncoding('a%2'), true);
    assert.equal(hasInvalidUrlEncoding('a%zz'), true);
    assert.equal(hasInvalidUtf8('caf\xc3\xa9'), false);
    assert.equal(hasInvalidUtf8('\xc0\xaf'), true, 'overlong');
    assert.equal(hasInvalidUtf8('\xed\xa0\x80'), true, 'surrogate');
    assert.equal(hasInvalidUtf8('\xe2\x82'), true, 'truncated');
  });

  it('atoi and @containsWord', () => {
    assert.equal(atoi(' 42abc'), 42);
    assert.equal(atoi('-7'), -7);
    assert.equal(atoi('x'), 0);
    assert.equal(containsWord('a select b', 'select'), true);
    assert.equal(containsWord('selection', 'select'), false);
  });
});
