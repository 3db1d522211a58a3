import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { banTargetFor, ipv6Prefix64, normaliseCidr, unmapIPv4 } from '../../src/defense/address.js';
import { Allowlist } from '../../src/defense/allowlist.js';
import { BanList } from '../../src/defense/banList.js';
import { BanManager } from '../../src/defense/banManager.js';
import { banDurationMs, banFor, DAY_MS, DEFAULT_BAN_POLICY, HOUR_MS } from '../../src/defense/banPolicy.js';
import { toNftables } from '../../src/defense/firewallExport.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { SqliteBanStore } from '../../src/store/sqlite/sqliteStore.js';

describe('ban escalation', () => {
  it('bans for an hour at first, and each repeat lasts twice as long', () => {
    const now = 1_000_000;
    const first = banFor('192.0.2.7/32', 0, now);
    assert.equal(first.until - first.since, HOUR_MS);
    assert.equal(first.offence, 1);
    const second = banFor('192.0.2.7/32', 1, now);
    assert.equal(second.until - now, 2 * HOUR_MS);
    assert.equal(second.offence, 2);
    assert.equal(banFor('192.0.2.7/32', 2, now).until - now, 4 * HOUR_MS);
  });

  it('caps at 30 days, however many offences', () => {
    // The tenth ban is 2^9 hours (21.3 days); the eleventh would be 42.7 days and is capped.
    assert.equal(banDurationMs(10), 512 * HOUR_MS);
    assert.equal(banDurationMs(11), 30 * DAY_MS);
    assert.equal(banDurationMs(1_000_000), 30 * DAY_MS);
    assert.equal(banDurationMs(10, { firstMs: 1000, factor: 2, maxMs: 5000 }), 5000);
  });

  it('never shortens a ban still in force', () => {
    const now = 0;
    assert.equal(
      banFor('192.0.2.7/32', 0, now, DEFAULT_BAN_POLICY, undefined, { until: 5 * HOUR_MS }).until,
      5 * HOUR_MS,
    );
  });
});

describe('ban targets', () => {
  it('keys IPv4 by address and IPv6 by /64', () => {
    assert.equal(banTargetFor('192.0.2.7'), '192.0.2.7/32');
    assert.equal(banTargetFor('::ffff:192.0.2.7'), '192.0.2.7/32');
    assert.equal(banTargetFor('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(banTargetFor('2001:db8:1:2::99'), '2001:db8:1:2::/64');
    assert.equal(banTargetFor('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(ipv6Prefix64('2001:0DB8:0001:0002:ffff::1'), '2001:db8:1:2::/64');
    assert.equal(normaliseCidr('10.1.2.3/8'), '10.0.0.0/8');
    assert.equal(unmapIPv4('::ffff:10.0.0.1'), '10.0.0.1');
    assert.throws(() => banTargetFor('nope'), /not an IP address/);
  });

  it('the ban list drops every address of a banned /64 and nothing beside it', () => {
    const list = new BanList();
    const now = 0;
    list.add({ target: banTargetFor('2001:db8:1:2::1'), until: 1000 });
    list.add({ target: '192.0.2.7/32', until: 1000 });
    assert.equal(list.isBanned('2001:db8:1:2:aaaa:bbbb:cccc:dddd', now), true);
    assert.equal(list.isBanned('2001:db8:1:2::', now), true);
    assert.equal(list.isBanned('2001:db8:1:3::1', now), false);
    assert.equal(list.isBanned('192.0.2.7', now), true);
    assert.equal(list.isBanned('::ffff:192.0.2.7', now), true);
    assert.equal(list.isBanned('192.0.2.8', now), false);
    assert.equal(list.isBanned('192.0.2.7', 1000), false, 'expired');
  });

  it('wide manual bans cover their range', () => {
    const list = new BanList();
    list.add({ target: '10.0.0.0/8', until: 1000 });
    assert.equal(list.isBanned('10.200.3.4', 0), true);
    assert.equal(list.isBanned('11.0.0.1', 0), false);
  });
});

describe('ban manager', () => {
  function manager(allow: string[] = []) {
    const store = new SqliteBanStore(':memory:');
    let now = 1_000_000;
    const events: SecurityEvent[] = [];
    const bans = new BanManager({
      store,
      policy: DEFAULT_BAN_POLICY,
      allowlist: new Allowlist(allow),
      emit: (e) => events.push(e),
      clock: () => now,
    });
    return { store, bans, events, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('escalates a returning offender through the store, after the first ban expired', () => {
    const m = manager();
    const first = m.bans.ban('192.0.2.7', { reason: 'test', threatId: 'prettypark', origin: 'auto' });
    assert.equal(first?.until, m.now() + HOUR_MS);
    assert.equal(m.bans.ban('192.0.2.7', { reason: 'again', threatId: null, origin: 'auto' }), null, 'already banned');
    m.bans.close();
    m.advance(HOUR_MS + 1);
    const m2 = new BanManager({
      store: m.store,
      policy: DEFAULT_BAN_POLICY,
      allowlist: new Allowlist([]),
      emit: () => {},
      clock: m.now,
    });
    assert.equal(m2.isBanned('192.0.2.7'), false, 'the first ban expired');
    const second = m2.ban('192.0.2.7', { reason: 'test', threatId: 'prettypark', origin: 'auto' });
    assert.equal(second?.offence, 2);
    assert.equal((second?.until ?? 0) - m.now(), 2 * HOUR_MS);
    m2.close();
  });

  it('bans an IPv6 source by /64', () => {
    const m = manager();
    const ban = m.bans.ban('2001:db8:5:6::1', { reason: 't', threatId: null, origin: 'auto' });
    assert.equal(ban?.target, '2001:db8:5:6::/64');
    assert.equal(m.bans.dropIfBanned('2001:db8:5:6:1:2:3:4', 5555), true);
    m.bans.close();
  });

  it('never bans an allowlisted source', () => {
    const m = manager(['192.0.2.0/24', '2001:db8:9::/48']);
    assert.equal(m.bans.ban('192.0.2.50', { reason: 't', threatId: null, origin: 'auto' }), null);
    assert.equal(m.bans.ban('2001:db8:9:1::1', { reason: 't', threatId: null, origin: 'auto' }), null);
    assert.equal(m.bans.isBanned('192.0.2.50'), false);
    assert.notEqual(m.bans.ban('198.51.100.1', { reason: 't', threatId: null, origin: 'auto' }), null);
    m.bans.close();
  });

  it('summarises drops into one event per source with a count', () => {
    const m = manager();
    m.bans.ban('192.0.2.7', { reason: 't', threatId: null, origin: 'auto' });
    for (let i = 0; i < 1000; i++) assert.equal(m.bans.dropIfBanned('192.0.2.7', 4369), true);
    assert.equal(m.bans.dropIfBanned('192.0.2.8', 4369), false);
    m.bans.reportDrops();
    assert.equal(m.events.length, 1);
    assert.equal(m.events[0]?.event.action, 'dropped');
    assert.equal(m.events[0]?.event.count, 1000);
    m.bans.close();
  });
});

describe('nftables export', () => {
  const now = 1_700_000_000_000;
  const ban = (target: string, seconds: number) => ({
    target,
    since: now,
    until: now + seconds * 1000,
    reason: 't',
    threatId: null,
    offence: 1,
    origin: 'auto' as const,
  });

  it('writes each ban in force with its remaining time, v4 and v6 apart', () => {
    const text = toNftables(
      [ban('192.0.2.7/32', 3600), ban('10.0.0.0/8', 60), ban('2001:db8:1:2::/64', 10), ban('198.51.100.1/32', -5)],
      now,
      {
        port: 8000,
      },
    );
    assert.match(text, /set banned_v4 \{[^}]*elements = \{ 192\.0\.2\.7 timeout 3600s, 10\.0\.0\.0\/8 timeout 60s \}/);
    assert.match(text, /set banned_v6 \{[^}]*elements = \{ 2001:db8:1:2::\/64 timeout 10s \}/);
    assert.doesNotMatch(text, /198\.51\.100\.1/, 'expired bans are left out');
    assert.match(text, /ip saddr @banned_v4 tcp dport 8000 drop/);
  });

  it('is a script nft accepts (checked with nft -c, never applied)', (t) => {
    const check = spawnSync('nft', ['-c', '-f', '-'], {
      input: toNftables([ban('192.0.2.7/32', 3600), ban('2001:db8:1:2::/64', 10)], now),
      encoding: 'utf8',
    });
    if (check.error) return t.skip('nft not installed');
    if (/Operation not permitted|permission/i.test(check.stderr)) return t.skip('nft -c needs CAP_NET_ADMIN');
    assert.equal(check.status, 0, check.stderr);
    const empty = spawnSync('nft', ['-c', '-f', '-'], { input: toNftables([], now), encoding: 'utf8' });
    assert.equal(empty.status, 0, empty.stderr);
  });
});
