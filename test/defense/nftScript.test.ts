import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeScript, nftElement, tableScript, timeoutText } from '../../src/defense/nftScript.js';

describe('nft scripts', () => {
  it('spells ban targets as set elements, re-spelt by node:net', () => {
    assert.deepEqual(nftElement('192.0.2.7/32'), { set: 'banned_v4', text: '192.0.2.7' });
    assert.deepEqual(nftElement('192.0.2.7'), { set: 'banned_v4', text: '192.0.2.7' });
    assert.deepEqual(nftElement('10.1.2.3/8'), { set: 'banned_v4_nets', text: '10.0.0.0/8' });
    assert.deepEqual(nftElement('::ffff:192.0.2.8'), { set: 'banned_v4', text: '192.0.2.8' });
    assert.deepEqual(nftElement('2001:db8:1:2:3:4:5:6/64'), { set: 'banned_v6', text: '2001:db8:1:2::' });
    assert.deepEqual(nftElement('2001:db8::/48'), { set: 'banned_v6_nets', text: '2001:db8::/48' });
    assert.deepEqual(nftElement('2001:DB8::1'), { set: 'banned_v6_nets', text: '2001:db8::1/128' });
  });

  it('refuses anything else: nft syntax, zones, bad prefixes, leading zeros, empty', () => {
    for (const bad of [
      '192.0.2.7 } ; flush ruleset',
      '192.0.2.7\nflush ruleset',
      '192.0.2.7/32 timeout 1s',
      'fe80::1%eth0',
      'fe80::1%eth0/64',
      '192.0.2.7/33',
      '192.0.2.7/0',
      '192.0.2.7/+8',
      '192.0.2.7/',
      '192.000.2.7',
      '2001:db8::/129',
      '',
      '/',
      'localhost',
    ])
      assert.equal(nftElement(bad), null, JSON.stringify(bad));
  });

  it('replaces a stale table in one script and resets only the gateway ports', () => {
    const script = tableScript('bansho', [8000, 8443, 8000]);
    assert.ok(script.startsWith('table inet bansho\ndelete table inet bansho\ntable inet bansho {'));
    assert.match(script, /tcp dport \{ 8000, 8443 \} ip saddr @banned_v4 reject with tcp reset/);
    assert.match(
      script,
      /tcp dport \{ 8000, 8443 \} ip6 saddr & ffff:ffff:ffff:ffff:: @banned_v6 reject with tcp reset/,
    );
    assert.match(script, /tcp dport \{ 8000, 8443 \} ip saddr @banned_v4_nets reject with tcp reset/);
    assert.throws(() => tableScript('bansho; flush ruleset', [8000]), RangeError);
    assert.throws(() => tableScript('bansho', []), RangeError);
  });

  it('adds a new target with its remaining time, replaces a known one, lifts without failing on an element gone, leaves out what is no address', () => {
    const now = 1_000_000;
    const known = new Set(['2001:db8:1:2::/64', '192.0.2.8/32', '192.0.2.9/32']);
    const { groups, refused } = changeScript(
      'bansho',
      [
        ['192.0.2.7/32', now + 90_500],
        ['2001:db8:1:2::/64', null],
        ['192.0.2.8/32', now - 1],
        ['192.0.2.9/32', now + 5_000],
        ['192.0.2.10/32', null],
        ['x } ; flush ruleset', now + 1000],
      ],
      now,
      (t) => known.has(t),
    );
    assert.deepEqual(refused, ['x } ; flush ruleset']);
    assert.deepEqual(
      groups.map((g) => g.commands),
      [
        'add element inet bansho banned_v4 { 192.0.2.7 timeout 91s }\n',
        'add element inet bansho banned_v6 { 2001:db8:1:2:: timeout 1s }\ndelete element inet bansho banned_v6 { 2001:db8:1:2:: }\n',
        // Ended already: taken out, not put in for a second.
        'add element inet bansho banned_v4 { 192.0.2.8 timeout 1s }\ndelete element inet bansho banned_v4 { 192.0.2.8 }\n',
        'add element inet bansho banned_v4 { 192.0.2.9 timeout 1s }\ndelete element inet bansho banned_v4 { 192.0.2.9 }\nadd element inet bansho banned_v4 { 192.0.2.9 timeout 5s }\n',
        // 192.0.2.10: never given to the kernel, nothing to lift.
      ],
    );
  });

  it('writes long timeouts in days, as nft takes them', () => {
    assert.equal(timeoutText(59), '59s');
    assert.equal(timeoutText(30 * 86_400 + 7), '30d7s');
  });
});
