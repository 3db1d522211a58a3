import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS, observationFromExample } from '../../src/detect/examples.js';
import { minMatchLength, requiredLiterals } from '../../src/detect/prefilter.js';
import { setRegexMeter } from '../../src/detect/regex.js';

describe('requiredLiterals', () => {
  it('finds the longest literal run a regex cannot match without', () => {
    assert.deepEqual(requiredLiterals('^CONNECT [^ /]+:25 / HTTP/1\\.[01]$'), [':25 / HTTP/1.0', ':25 / HTTP/1.1']);
    assert.deepEqual(requiredLiterals('\\bunion(\\s|/\\*)+select\\b'), ['select']);
    assert.deepEqual(requiredLiterals('(?i)fo(bar|bazz)qu'), ['fobarqu', 'fobazzqu']);
  });
  it('joins small classes and literal groups into the run around them', () => {
    assert.deepEqual(requiredLiterals('/\\.(git|svn)(/|$)'), ['/.git', '/.svn']);
    assert.deepEqual(requiredLiterals('[$%]\\{\\(.{0,9}x'), ['${(', '%{(']);
    assert.deepEqual(requiredLiterals('\\bunion\\b'), ['union']);
    assert.equal(requiredLiterals('[a-z]{3}'), null);
  });
  it('refuses non-ASCII literals when the regex ignores case (the automaton folds ASCII only)', () => {
    assert.deepEqual(requiredLiterals('café'), ['café']);
    assert.equal(requiredLiterals('café', true), null);
    assert.equal(requiredLiterals('(?i)café'), null);
  });
  it('gives one literal per top-level alternative', () => {
    assert.deepEqual(requiredLiterals('eval-stdin|/\\.git/'), ['eval-stdin', '/.git/']);
  });
  it('drops optional or repeated items from literal runs', () => {
    assert.deepEqual(requiredLiterals('abcx?def'), ['abc']);
    assert.deepEqual(requiredLiterals('abcd+ef'), ['abcd']);
    assert.deepEqual(requiredLiterals('ab{0,2}cdef'), ['cdef']);
  });
  it('requires an item repeated n times as n copies in a row, and nothing after them', () => {
    // CRS's 930110: a path traversal needs `..`, not just a dot.
    assert.deepEqual(requiredLiterals('(?:^|[/;\\x5c])\\.{2,3}[/;\\x5c]', false, 1), ['..']);
    assert.deepEqual(requiredLiterals('xa{3}'), ['xaaa']);
    assert.deepEqual(requiredLiterals('[ab]{2}c', false, 1), ['aa', 'ab', 'ba', 'bb']);
    assert.deepEqual(requiredLiterals('qqa{2,5}b'), ['qqaa']);
    assert.deepEqual(requiredLiterals('qa{2,5}bcdef'), ['bcdef']);
  });
  it('gives up when some branch has no literal of 3+ characters', () => {
    assert.equal(requiredLiterals('ab|cdef'), null);
    assert.equal(requiredLiterals('[a-z]+\\d*'), null);
    assert.equal(requiredLiterals('a.b.c'), null);
  });
});

describe('minMatchLength', () => {
  it('counts the fewest characters a match needs', () => {
    assert.equal(minMatchLength('^CONNECT [^ /]+:25 / HTTP/1\\.[01]$'), 8 + 1 + 12 + 1 + 1);
    assert.equal(minMatchLength('\\bab?c*d+e{2,}\\b'), 4);
    assert.equal(minMatchLength('abc|de'), 2);
    assert.equal(minMatchLength('(?i)x(yz|w)?'), 1);
    assert.equal(minMatchLength('\\.\\.[\\x{2215}\\p{L}]'), 3);
  });
  it('is 0 when the pattern is beyond the analyser', () => assert.equal(minMatchLength('\\Qa\\E'), 0));
  it('never takes the braces of \\p{..} for literals', () =>
    assert.deepEqual(requiredLiterals('x\\p{Lu}abc'), ['abc']));
});

describe('the engine skips regexes for benign requests', () => {
  const { engine } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
  it('runs no regex at all for a plain page request', () => {
    const meter = { calls: 0, chars: 0 };
    setRegexMeter(meter);
    try {
      engine.match(
        observationFromExample(
          'GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1\nHost: example.com\nUser-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)\n\n',
        ),
      );
    } finally {
      setRegexMeter(null);
    }
    assert.equal(meter.calls, 0);
  });
});
