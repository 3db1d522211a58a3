import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Ipv4Texts } from '../../src/monitor/decode/address.js';
import { flagText } from '../../src/monitor/log/info/tcp.js';
import { RecentKeys } from '../../src/monitor/tcp/recentKeys.js';

describe('the speed caches give the same answers as computing afresh', () => {
  test('IPv4 text from the address cache, including addresses that share a slot', () => {
    // 0.0.0.0 and 0.0.16.1 share a slot (hash n ^ n>>>12 ^ n>>>24 over 4096 slots); so may random pairs.
    const bytes = Uint8Array.from([0, 0, 0, 0, 0, 0, 16, 1, 0, 0, 0, 0]);
    const texts = new Ipv4Texts();
    const ipv4Text = (b: Uint8Array, at: number): string => texts.text(b, at);
    assert.equal(ipv4Text(bytes, 0), '0.0.0.0');
    assert.equal(ipv4Text(bytes, 4), '0.0.16.1');
    assert.equal(ipv4Text(bytes, 8), '0.0.0.0');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 50 }), (addrs) => {
        for (const a of addrs) assert.equal(ipv4Text(a, 0), Array.from(a).join('.'));
      }),
      { numRuns: 300 },
    );
  });

  test('TCP flag lists, cached per combination', () => {
    assert.equal(flagText(0x12), 'SYN, ACK');
    assert.equal(flagText(0x12), 'SYN, ACK');
    assert.equal(flagText(0), '<None>');
    assert.equal(flagText(0x1ff), 'FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE');
  });

  test('recently closed keys: the oldest is forgotten, a key added again is kept', () => {
    const recent = new RecentKeys(3);
    for (const k of ['a', 'b', 'c'])
      assert.equal(recent.add(k), undefined, 'nothing forgotten before the ring is full');
    assert.ok(recent.has('a') && recent.has('b') && recent.has('c'));
    assert.equal(recent.add('d'), 'a');
    assert.equal(recent.has('a'), false, 'the oldest goes when a fourth arrives');
    recent.add('b');
    recent.add('e');
    // 'b' was added again after its first slot: that old slot's turn must not forget it.
    assert.equal(recent.has('b'), true);
    assert.equal(recent.has('c'), false);
    recent.delete('d');
    assert.equal(recent.has('d'), false);

    const again = new RecentKeys(3);
    again.add('a');
    again.add('b');
    again.add('a');
    again.add('c');
    // c takes the slot of a's first add: a, added again since, is still remembered.
    assert.ok(again.has('a') && again.has('b') && again.has('c'));
    again.add('d');
    assert.equal(again.has('b'), false);
    again.add('e');
    assert.equal(again.has('a'), false, 'a goes when its newer slot comes round');
  });
});
