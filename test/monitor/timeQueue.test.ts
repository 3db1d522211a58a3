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

  test("dropBefore across the ring's wrap, and on an emptied queue whose stale slots are old", () => {
    const q = new TimeQueue(8);
    for (let t = 1; t <= 8; t++) q.push(t);
    q.dropBefore(7);
    for (let t = 9; t <= 12; t++) q.push(t);
    // Held: 7 8 | 9 10 11 12, the last four written over the ring's first slots.
    q.dropBefore(10);
    assert.deepEqual([q.length, q.first()], [3, 10]);
    q.dropBefore(100);
    assert.equal(q.length, 0);
    // Every slot still holds an old number: an empty queue drops nothing, nor goes below empty.
    q.dropBefore(1000);
    assert.equal(q.length, 0);
    q.push(500);
    q.dropBefore(400);
    assert.deepEqual(drain(q), [500]);
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

describe('TimeQueue with tags (the SYN-flood window of times and their sources)', () => {
  test('keeps each time with its tag across wrap-around and growth', () => {
    const q = new TimeQueue(100, true);
    for (let t = 1; t <= 6; t++) q.pushTagged(t, `s${t % 3}`);
    q.shift();
    q.shift();
    // Wraps in the first ring (8), then grows with the head in the middle of it.
    for (let t = 7; t <= 20; t++) q.pushTagged(t, `s${t % 3}`);
    assert.equal(q.length, 18);
    q.dropBefore(19);
    assert.deepEqual([q.length, q.first()], [2, 19]);
    // 19 and 20: tags s1 and s2 (a tag ring out of step with the times would say otherwise).
    assert.equal(q.distinctTags(), 2);
    q.shift();
    assert.equal(q.distinctTags(), 1);
    q.pushTagged(21, 's2');
    assert.equal(q.distinctTags(), 1, '20 and 21 are both tagged s2');
  });

  test('a tag pushed into a ring that grows lands beside its time', () => {
    const q = new TimeQueue(64, true);
    // Head at slot 5 of 8, the ring full: the ninth push grows it, and its tag must follow.
    for (let t = 0; t < 5; t++) q.pushTagged(t, 'old');
    for (let t = 0; t < 5; t++) q.shift();
    for (let t = 10; t < 18; t++) q.pushTagged(t, 'a');
    q.pushTagged(18, 'b');
    assert.equal(q.length, 9);
    q.dropBefore(18);
    assert.deepEqual([q.length, q.first(), q.distinctTags()], [1, 18, 1]);
    q.pushTagged(19, 'b');
    assert.equal(q.distinctTags(), 1, '18 and 19 are both tagged b');
    q.pushTagged(20, 'a');
    assert.equal(q.distinctTags(), 2);
  });

  test('counts the tags of the times held, not of those dropped', () => {
    const q = new TimeQueue(8, true);
    for (const [t, s] of [
      [10, 'a'],
      [20, 'b'],
      [20, 'c'],
      [30, 'a'],
    ] as const)
      q.pushTagged(t, s);
    assert.equal(q.distinctTags(), 3);
    q.dropBefore(21);
    assert.deepEqual([q.length, q.distinctTags()], [1, 1]);
    q.dropBefore(31);
    assert.deepEqual([q.length, q.distinctTags()], [0, 0]);
    q.shift();
    assert.equal(q.length, 0, 'shifting an empty window leaves it empty');
  });

  test('holds up to its bound and refuses more; a bare queue takes no tag', () => {
    const q = new TimeQueue(3, true);
    q.pushTagged(1, 'a');
    q.pushTagged(2, 'b');
    q.pushTagged(3, 'c');
    assert.throws(() => q.pushTagged(4, 'd'), RangeError);
    q.shift();
    q.pushTagged(4, 'a');
    assert.deepEqual([q.length, q.distinctTags()], [3, 3]);
    assert.deepEqual(drain(q), [2, 3, 4]);
    const bare = new TimeQueue(3);
    assert.throws(() => bare.pushTagged(1, 'a'), TypeError);
    assert.equal(bare.length, 0, 'the refused push added no time');
  });
});
