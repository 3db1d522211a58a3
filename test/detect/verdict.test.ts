import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Match, RuleAction } from '../../src/detect/types.js';
import { decide } from '../../src/detect/verdict.js';

function match(score: number, action: RuleAction): Match {
  return {
    family: 'rule',
    ruleId: `r-${score}-${action}`,
    ruleName: 'r',
    threatId: 't',
    severity: 'medium',
    score,
    action,
    field: 'f',
    value: 'v',
    tags: [],
  };
}

describe('decide', () => {
  it('allows when nothing matched', () => assert.deepEqual(decide([]), { kind: 'allow' }));
  it('logs low scores', () => assert.equal(decide([match(3, 'log')]).kind, 'log'));
  it('blocks when scores add up to the block threshold', () => {
    assert.equal(decide([match(3, 'log'), match(3, 'log')]).kind, 'block');
    assert.equal(decide([match(3, 'log'), match(3, 'log')], { blockScore: 10 }).kind, 'log');
  });
  it('blocks when a rule asks to, whatever its score', () => assert.equal(decide([match(0, 'block')]).kind, 'block'));
  it('bans at once for a ban rule (the mail-relay CONNECT)', () =>
    assert.equal(decide([match(5, 'block'), match(20, 'ban')]).kind, 'ban'));
  it('bans when one request scores past the ban threshold', () => {
    assert.equal(decide([match(10, 'block'), match(10, 'block'), match(5, 'block')]).kind, 'ban');
    assert.equal(decide([match(10, 'block'), match(10, 'block'), match(5, 'block')], { banScore: 100 }).kind, 'block');
  });
  it('keeps every match as evidence', () => {
    const v = decide([match(3, 'log'), match(4, 'log')]);
    assert.ok(v.kind === 'block' && v.matches.length === 2);
  });
});
