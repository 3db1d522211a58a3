import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SourceScores } from '../../src/defense/sourceScores.js';

const MIN = 60_000;

describe('SourceScores', () => {
  it('adds scores within the window and crosses the threshold', () => {
    const s = new SourceScores({ windowMs: 10 * MIN, threshold: 20 });
    assert.deepEqual(s.add('198.51.100.1', 5, 0), { total: 5, overThreshold: false });
    assert.deepEqual(s.add('198.51.100.1', 10, 1 * MIN), { total: 15, overThreshold: false });
    assert.deepEqual(s.add('198.51.100.1', 5, 2 * MIN), { total: 20, overThreshold: true });
    assert.deepEqual(s.add('198.51.100.2', 5, 2 * MIN), { total: 5, overThreshold: false });
  });

  it('forgets scores older than the window', () => {
    const s = new SourceScores({ windowMs: 10 * MIN, threshold: 20 });
    s.add('a', 15, 0);
    assert.equal(s.peek('a', 5 * MIN).total, 15);
    assert.equal(s.add('a', 10, 10 * MIN + 1).total, 10);
    assert.equal(s.peek('a', 30 * MIN).total, 0);
  });

  it('bounds the number of sources, evicting the least recently scored', () => {
    const s = new SourceScores({ maxSources: 3 });
    s.add('a', 1, 0);
    s.add('b', 1, 1);
    s.add('c', 1, 2);
    s.add('a', 1, 3);
    s.add('d', 1, 4);
    assert.equal(s.size, 3);
    assert.equal(s.peek('b', 5).total, 0);
    assert.equal(s.peek('a', 5).total, 2);
  });

  it('keeps evicting the least recently scored once many uses have queued up (past its compactions)', () => {
    const s = new SourceScores({ maxSources: 2000 });
    const ip = (i: number) => `10.0.${i >> 8}.${i & 255}`;
    for (let i = 0; i < 2000; i++) s.add(ip(i), 1, i);
    // The first 500, scored again and again: thousands of stale uses queued behind them.
    for (let round = 0; round < 10; round++) for (let i = 0; i < 500; i++) s.add(ip(i), 0, 2000 + round);
    s.forget(ip(1999));
    for (let i = 2000; i < 2501; i++) s.add(ip(i), 1, 3000);
    assert.equal(s.size, 2000);
    // One slot was freed by forget: 500 evicted, the least recent — 500…999 — and none of the first 500.
    for (let i = 0; i < 500; i++) assert.equal(s.peek(ip(i), 3001).total, 1, ip(i));
    for (let i = 500; i < 1000; i++) assert.equal(s.peek(ip(i), 3001).total, 0, ip(i));
    for (let i = 1000; i < 1999; i++) assert.equal(s.peek(ip(i), 3001).total, 1, ip(i));
  });

  it('scores an IPv6 source by its /64, and a ban target the same as its address', () => {
    const s = new SourceScores({ threshold: 20 });
    for (let i = 1; i <= 3; i++) s.add(`2001:db8:3:4::${i}`, 5, i);
    assert.equal(s.add('2001:db8:3:4:ffff::9', 5, 4).overThreshold, true, 'four addresses, one /64');
    assert.equal(s.peek('2001:db8:3:5::1', 4).total, 0, 'the next /64 is another source');
    s.add('198.51.100.7', 5, 0);
    assert.equal(s.peek('198.51.100.7/32', 0).total, 5);
    s.forget('2001:db8:3:4::/64');
    assert.equal(s.peek('2001:db8:3:4::1', 4).total, 0);
    assert.equal(s.size, 1);
  });

  it('bounds entries per source without losing score inside the window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 300 }), (scores) => {
        const s = new SourceScores({ windowMs: 10 * MIN, threshold: 1e9, maxEntriesPerSource: 8 });
        let last = { total: 0, overThreshold: false };
        scores.forEach((score, i) => {
          last = s.add('x', score, i);
        });
        assert.equal(
          last.total,
          scores.reduce((a, b) => a + b, 0),
        );
      }),
    );
  });
});
