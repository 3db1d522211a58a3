import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Doorkeeper } from '../../src/detect/doorkeeper.js';

describe('Doorkeeper', () => {
  it('says a value was seen only from its second sighting, per salt', () => {
    const door = new Doorkeeper(10);
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
    assert.equal(door.seenBefore(ua, 3), false);
    assert.equal(door.seenBefore(ua, 3), true);
    assert.equal(door.seenBefore(ua, 4), false);
    assert.equal(door.seenBefore('', 3), false);
    assert.equal(door.seenBefore('', 3), true);
  });

  it('tells apart most distinct values (a collision only admits a value early)', () => {
    const door = new Doorkeeper(16);
    let early = 0;
    for (let i = 0; i < 5000; i++) if (door.seenBefore(`/blog/2013/${i}/post-${i * 7}.html`, 1)) early++;
    assert.ok(early < 50, `${early} of 5000 distinct paths looked seen`);
  });
});
