import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TimeQueue } from '../../src/monitor/detect/timeQueue.js';

/** The queue's times, oldest first, read by shifting a copy made of the same pushes. */
function drain(q: TimeQueue): number[] {
  const out: number[] = [];
  while (q.length > 0) {
    out.push(q.first());
    q.shift();
  }
  return out;
}

describe('TimeQueue (a sliding window of times)', () => {
  test('keeps times in order across growth and wrap-around', () => {
    const q = new TimeQueue(100);
    for (let t = 1; t <= 6; t++) q.push(t);
    q.shift();
    q.shift();
    // Wraps in the first ring (8), then grows with the head in the middle of it.
    for (let t = 7; t <= 20; t++) q.push(t);
    assert.equal(q.length, 18);
    assert.deepEqual(
      drain(q),
      Array.from({ length: 18 }, (_, i) => i + 3),
    );
  });

  test('dropBefore drops exactly the times before the window start', () => {
    const q = new TimeQueue(16);
    for (const t of [10, 20, 20, 30, 40]) q.push(t);
    q.dropBefore(20);
    assert.deepEqual([q.length, q.first()], [4, 20]);
    q.dropBefore(41);
    assert.equal(q.length, 0);
    assert.ok(Number.isNaN(q.first()));
    q.shift();
    assert.equal(q.length, 0, 'shifting an empty queue leaves it empty');
  });

  test('holds up to its bound and refuses more (the detectors keep within it)', () => {
    const q = new TimeQueue(3);
    q.push(1);
    q.push(2);
    q.push(3);
    assert.throws(() => q.push(4), RangeError);
    q.shift();
    q.push(4);
    assert.deepEqual(drain(q), [2, 3, 4]);
  });
});
