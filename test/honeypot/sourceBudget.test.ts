import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BudgetLimits, SourceBudget } from '../../src/honeypot/sourceBudget.js';

const LIMITS: BudgetLimits = {
  sessions: 3,
  bytes: 1000,
  concurrent: 2,
  windowMs: 60_000,
  maxSessions: 4,
  sessionBytes: 600,
};

describe('honeypot budget per source', () => {
  it('counts sessions per window and at once; a new window starts afresh', () => {
    let now = 0;
    const b = new SourceBudget(LIMITS, () => now);
    const a1 = b.start('198.51.100.1');
    const a2 = b.start('198.51.100.1');
    assert.ok(a1 && a2);
    assert.equal(b.start('198.51.100.1'), null, 'two at once');
    a1.end();
    a1.end();
    const a3 = b.start('198.51.100.1');
    assert.ok(a3);
    a2.end();
    a3.end();
    assert.equal(b.hasRoom('198.51.100.1'), false, 'three per window');
    now = 60_000;
    assert.equal(b.hasRoom('198.51.100.1'), true);
  });

  it('stops a session past its bytes and its source past the window’s bytes', () => {
    const b = new SourceBudget(LIMITS, () => 0);
    const s1 = b.start('198.51.100.2');
    assert.ok(s1);
    assert.equal(s1.spend(600), true);
    assert.equal(s1.spend(1), false, 'the session’s 600 bytes');
    s1.end();
    const s2 = b.start('198.51.100.2');
    assert.ok(s2);
    assert.equal(s2.spend(400), false, 'the source’s 1000 bytes');
    s2.end();
    assert.equal(b.hasRoom('198.51.100.2'), false);
  });

  it('counts an IPv6 /64 as one source, bounds everyone together, refuses an unusable address', () => {
    const b = new SourceBudget(LIMITS, () => 0);
    assert.ok(b.start('2001:db8:1:2::1'));
    assert.ok(b.start('2001:db8:1:2::ffff'));
    assert.equal(b.start('2001:db8:1:2:aaaa::1'), null, 'same /64, two at once already');
    assert.ok(b.start('192.0.2.1'));
    assert.ok(b.start('192.0.2.2'));
    assert.equal(b.open, 4);
    assert.equal(b.start('192.0.2.3'), null, 'four sessions open in all');
    assert.equal(b.hasRoom('not an address'), false);
  });
});
