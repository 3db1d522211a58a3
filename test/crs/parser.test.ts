import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseActionList } from '../../src/crs/actionList.js';
import { CrsError } from '../../src/crs/errors.js';
import { parseConfig } from '../../src/crs/parser.js';
import { RuleSetBuilder } from '../../src/crs/ruleSet.js';
import { parseTargets } from '../../src/crs/targets.js';

const where = { file: 'test.conf', line: 1 };

function build(text: string) {
  const builder = new RuleSetBuilder();
  for (const d of parseConfig(text, 'test.conf')) builder.add(d);
  return builder.build('test.conf');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CrsError, String(err));
    return `${err.code} ${err.file}:${err.line}`;
  }
  return 'no error';
}

describe('SecLang parser', () => {
  it('joins continuation lines, skips comments, keeps regex backslashes', () => {
    const d = parseConfig('# c\nSecRule ARGS "@rx a\\\\d \\"q\\"" \\\n    "id:1,\\\n    pass"\n', 'f.conf');
    assert.equal(d.length, 1);
    assert.deepEqual(d[0]?.args, ['ARGS', '@rx a\\\\d "q"', 'id:1,    pass']);
    assert.equal(d[0]?.where.line, 2);
  });

  it('reports an unterminated quote with file and line', () => {
    assert.equal(
      codeOf(() => parseConfig('\n\nSecRule ARGS "@rx x', 'f.conf')),
      'E_CRS_SYNTAX f.conf:3',
    );
  });

  it('splits actions, honouring quotes and escaped quotes', () => {
    const actions = parseActionList("id:1,msg:'a, b \\'c\\'',t:none,setvar:'tx.x=+%{tx.y}',chain", where);
    assert.deepEqual(actions, [
      { name: 'id', value: '1' },
      { name: 'msg', value: "a, b 'c'" },
      { name: 't', value: 'none' },
      { name: 'setvar', value: 'tx.x=+%{tx.y}' },
      { name: 'chain', value: undefined },
    ]);
  });

  it('reads targets: counts, exclusions, regex selectors with |, XPath', () => {
    const t = parseTargets('ARGS|!ARGS:foo|&TX:x|REQUEST_COOKIES:/^(a|b)$/|XML:/*|XML://@*', where);
    assert.deepEqual(
      t.include.map((r) => [r.name, r.selector.kind, r.count]),
      [
        ['ARGS', 'all', false],
        ['TX', 'key', true],
        ['REQUEST_COOKIES', 'regex', false],
        ['XML', 'xpath', false],
        ['XML', 'xpath', false],
      ],
    );
    assert.deepEqual(
      t.exclude.map((r) => [r.name, r.selector.kind === 'key' ? r.selector.key : '']),
      [['ARGS', 'foo']],
    );
  });

  it('refuses what is outside the subset, with a code and the line', () => {
    assert.equal(
      codeOf(() => build('\nSecRule NO_SUCH_VAR "@rx x" "id:1"')),
      'E_CRS_UNSUPPORTED test.conf:2',
    );
    assert.equal(
      codeOf(() => build('SecRule FILES_TMPNAMES "@inspectFile x.pl" "id:1"')),
      'E_CRS_UNSUPPORTED test.conf:1',
    );
    // Names Object's prototype has are no operators either.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      assert.equal(
        codeOf(() => build(`SecRule ARGS "@${name} x" "id:1"`)),
        'E_CRS_UNSUPPORTED test.conf:1',
        name,
      );
    assert.equal(
      codeOf(() => build('SecRule ARGS "@rx x" "id:1,t:nosuch"')),
      'E_CRS_UNSUPPORTED test.conf:1',
    );
    assert.equal(
      codeOf(() => build('SecRule ARGS "@rx x" "id:1,exec:/bin/sh"')),
      'E_CRS_UNSUPPORTED test.conf:1',
    );
    assert.equal(
      codeOf(() => build('Include other.conf')),
      'E_CRS_UNSUPPORTED test.conf:1',
    );
    assert.equal(
      codeOf(() => build('SecRule ARGS "@validateByteRange 1-999" "id:1"')),
      'E_CRS_COMPILE test.conf:1',
    );
    assert.equal(
      codeOf(() => build('SecRule ARGS "@rx x" "id:1,skipAfter:NOWHERE"')),
      'E_CRS_COMPILE test.conf:1',
    );
    assert.equal(
      codeOf(() => build('SecRule ARGS "@rx x" "id:1,chain"')),
      'E_CRS_SYNTAX test.conf:1',
    );
  });

  it('leaves out, and lists, a rule whose regex RE2 cannot run; adapts CRS 3.3 lookbehinds and possessives', () => {
    const set = build(`
SecRule ARGS "@rx a(?=b)" "id:7,chain"
  SecRule ARGS "@rx c" "t:none"
SecRule ARGS "@rx (?<!&)x" "id:8"
SecRule ARGS "@rx y\\s*+z" "id:9"
`);
    assert.deepEqual(
      set.skipped.map((s) => [s.id, s.where.line]),
      [[7, 2]],
    );
    const rules = (set.phases[2] ?? []).flatMap((i) => (i.kind === 'rule' ? [i.rule] : []));
    assert.deepEqual(
      rules.map((r) => r.id),
      [8, 9],
    );
    const adapted = rules.map((r) =>
      r.links[0]?.operator.body.kind === 'rx' ? r.links[0].operator.body.regex.adapted : '',
    );
    assert.deepEqual(adapted, ['lookbehind (re2js, linear)', 'possessive quantifiers made greedy']);
  });

  it('builds chains, markers per phase, defaults and removals', () => {
    const set = build(`
SecDefaultAction "phase:2,log,pass,t:lowercase"
SecRule ARGS "@rx a" "id:1,phase:2,block,chain"
  SecRule ARGS "@rx b" "t:none"
SecMarker END
SecRule ARGS "@rx c" "id:2,phase:1,deny,tag:'x'"
SecRule ARGS "@rx d" "id:3,phase:2"
SecRuleRemoveById 3
SecRuleRemoveByTag x
SecRuleUpdateTargetById 1 "!ARGS:z"
`);
    const phase2 = set.phases[2] ?? [];
    const rules = phase2.flatMap((i) => (i.kind === 'rule' ? [i.rule] : []));
    assert.deepEqual(
      rules.map((r) => r.id),
      [1],
    );
    const rule = rules[0];
    assert.equal(rule?.links.length, 2);
    assert.equal(rule?.disruptive, 'pass', 'block means the default action');
    assert.deepEqual(rule?.links[0]?.transformations.names, ['lowercase'], 'inherits the default transformations');
    assert.deepEqual(rule?.links[1]?.transformations.names, [], 't:none resets them');
    assert.equal(rule?.links[0]?.targets.exclude[0]?.name, 'ARGS');
    assert.equal(set.markers[1]?.has('END'), true);
    assert.equal(set.markers[2]?.has('END'), true);
    assert.equal(set.ruleCount, 1);
  });
});
