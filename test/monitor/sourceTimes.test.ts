import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SourceTimes } from '../../src/monitor/detect/sourceTimes.js';

describe('SourceTimes (a sliding window of times with their sources)', () => {
  test('keeps each time with its source across growth and wrap-around', () => {
    const q = new SourceTimes(100);
    for (let t = 1; t <= 6; t++) q.push(t, `s${t % 3}`);
    q.shift();
    q.shift();
    // Wraps in the first ring (8), then grows with the head in the middle of it.
    for (let t = 7; t <= 20; t++) q.push(t, `s${t % 3}`);
    assert.equal(q.length, 18);
    q.dropBefore(19);
    assert.equal(q.length, 2);
    // 19 and 20: sources s1 and s2 (a source ring out of step with the times would say otherwise).
    assert.equal(q.distinctSources(), 2);
    q.shift();
    assert.equal(q.distinctSources(), 1);
    q.push(21, 's2');
    assert.equal(q.distinctSources(), 1, '20 and 21 both come from s2');
  });

  test('counts the sources of the entries held, not of those dropped', () => {
    const q = new SourceTimes(8);
    for (const [t, s] of [
      [10, 'a'],
      [20, 'b'],
      [20, 'c'],
      [30, 'a'],
    ] as const)
      q.push(t, s);
    assert.equal(q.distinctSources(), 3);
    q.dropBefore(21);
    assert.deepEqual([q.length, q.distinctSources()], [1, 1]);
    q.dropBefore(31);
    assert.deepEqual([q.length, q.distinctSources()], [0, 0]);
    q.shift();
    assert.equal(q.length, 0, 'shifting an empty window leaves it empty');
  });

  test('holds up to its bound and refuses more (the detector keeps within it)', () => {
    const q = new SourceTimes(3);
    q.push(1, 'a');
    q.push(2, 'b');
    q.push(3, 'c');
    assert.throws(() => q.push(4, 'd'), RangeError);
    q.shift();
    q.push(4, 'a');
    assert.equal(q.distinctSources(), 3);
  });
});
