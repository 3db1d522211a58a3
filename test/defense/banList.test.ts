import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { banTargetFor } from '../../src/defense/address.js';
import { ipv4Key, ipv6Key } from '../../src/defense/banKeys.js';
import { BanList } from '../../src/defense/banList.js';

describe('ban list keys', () => {
  it('read an IPv4 address into its 32-bit value, and nothing else', () => {
    assert.equal(ipv4Key('0.0.0.1'), 1);
    assert.equal(ipv4Key('255.255.255.255'), -1, 'a signed int, kept unboxed');
    assert.equal(ipv4Key('::ffff:10.0.0.1', 7), ipv4Key('10.0.0.1'));
    for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.256', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '', '1.2.3.0004'])
      assert.equal(ipv4Key(bad), undefined, bad);
  });

  it('give every spelling of one /64 the same key', () => {
    const key = ipv6Key('2001:db8:1:2::5');
    for (const text of [
      '2001:db8:1:2:aaaa:bbbb:cccc:dddd',
      '2001:0DB8:0001:0002::',
      '2001:db8:1:2::/64',
      '2001:db8:1:2::1%eth0',
    ])
      assert.equal(ipv6Key(text), key, text);
    assert.notEqual(ipv6Key('2001:db8:1:3::5'), key);
    assert.equal(ipv6Key('2001:db8::1'), ipv6Key('2001:db8:0:0::'), 'a :: among the first four groups');
    assert.equal(ipv6Key('::1'), ipv6Key('0:0:0:0::'));
    assert.equal(ipv6Key('12345::1'), undefined);
  });

  it('round-trip: an address banned by its target is found by the list, and the key names the target', () => {
    const v6 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((g) => g.map((x) => x.toString(16)).join(':'));
    const v4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((o) => o.join('.'));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (ip) => {
        const list = new BanList();
        const target = banTargetFor(ip);
        list.add({ target, until: 10 });
        const key = list.keyFor(ip, 0);
        assert.notEqual(key, undefined);
        assert.equal(list.targetOf(key as number | string), target);
        assert.equal(list.untilOf(target), 10);
      }),
    );
  });
});

describe('ban list', () => {
  it('add never shortens a ban; set takes the store’s word', () => {
    const list = new BanList();
    list.add({ target: '192.0.2.7/32', until: 1000 });
    list.add({ target: '192.0.2.7/32', until: 500 });
    assert.equal(list.untilOf('192.0.2.7/32'), 1000);
    list.set('192.0.2.7/32', 500);
    assert.equal(list.untilOf('192.0.2.7/32'), 500);
    list.set('10.0.0.0/8', 100);
    list.set('10.0.0.0/8', 200);
    assert.equal(list.size, 2, 'a wide ban is replaced, not doubled');
    list.remove('10.0.0.0/8');
    assert.equal(list.isBanned('10.1.1.1', 0), false);
  });

  it('sweeps expired bans a bounded slice at a time', () => {
    const list = new BanList();
    for (let i = 0; i < 1000; i++) list.set(`198.18.${i >> 8}.${i & 255}/32`, i < 600 ? 5 : 50);
    for (let i = 0; i < 100; i++) list.set(`2001:db8:${i.toString(16)}:1::/64`, i < 50 ? 5 : 50);
    let removed = 0;
    let calls = 0;
    while (list.size > 450 && calls < 100) {
      const n = list.sweep(10, 100);
      assert.ok(n <= 100, `${n} in one slice`);
      removed += n;
      calls++;
    }
    assert.equal(removed, 650);
    assert.equal(list.size, 450);
    assert.equal(list.isBanned('198.18.3.0', 10), true, 'i = 768 is still in force');
  });

  it('reads the clock at accept only for an address some ban could cover', () => {
    const list = new BanList();
    list.set('192.0.2.7/32', 100);
    list.set('2001:db8:1:2::/64', 100);
    let reads = 0;
    const clock = (): number => {
      reads++;
      return 50;
    };
    for (const free of ['192.0.2.8', '::ffff:192.0.2.9', '2001:db8:1:3::1'])
      assert.equal(list.keyNow(free, clock), undefined);
    assert.equal(reads, 0, 'no clock for a source the list does not hold');
    assert.equal(list.targetOf(list.keyNow('192.0.2.7', clock) as number), '192.0.2.7/32');
    assert.equal(list.keyNow('2001:db8:1:2::9', clock), ipv6Key('2001:db8:1:2::'));
    assert.equal(
      list.keyNow('192.0.2.7', () => 100),
      undefined,
      'ended at 100',
    );
    list.set('198.51.100.0/24', 100);
    assert.equal(list.keyNow('198.51.100.3', clock), '198.51.100.0/24', 'a wide ban needs the clock');
  });
});
