import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Allowlist } from '../../src/defense/allowlist.js';
import { BanManager, type EffectiveBan } from '../../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../../src/defense/banPolicy.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { SpillFile } from '../../src/store/sqlite/spill.js';
import { openSqlite, SqliteBanStore } from '../../src/store/sqlite/sqliteStore.js';
import { tempDir, waitFor } from '../gateway/helpers.js';
import { storeBan } from '../store/records.js';

const tmp = tempDir('bansho-bansync-');
after(tmp.cleanup);

const REQUEST = { reason: 'test', threatId: null, origin: 'auto' } as const;

/** A manager on its own connection to `file`, as a gateway has; its timers far apart so tests drive `sync()`. */
function managerOn(file: string, extra: Partial<ConstructorParameters<typeof BanManager>[0]> = {}) {
  const events: SecurityEvent[] = [];
  const errors: string[] = [];
  const effective: EffectiveBan[] = [];
  const bans = new BanManager({
    store: new SqliteBanStore(file),
    policy: DEFAULT_BAN_POLICY,
    allowlist: new Allowlist([]),
    emit: (e) => events.push(e),
    pollMs: 3_600_000,
    onBan: (b) => effective.push(b),
    onError: (err) => errors.push(String(err)),
    ...extra,
  });
  return { bans, events, errors, effective };
}

describe('ban changes reach a running manager as deltas', () => {
  it('applies puts and removes made by another connection, and tells listeners of new bans', () => {
    const file = `${tmp.dir}/delta.db`;
    const other = new SqliteBanStore(file);
    other.putSync(storeBan('192.0.2.1/32'));
    const m = managerOn(file);
    assert.equal(m.bans.isBanned('192.0.2.1'), true, 'loaded at start');
    assert.equal(m.effective.length, 0, 'the start-up load is not news');

    other.putSync(storeBan('2001:db8:7:8::/64'));
    other.putSync(storeBan('10.0.0.0/8'));
    other.removeSync('192.0.2.1/32');
    m.bans.sync();
    assert.equal(m.bans.isBanned('192.0.2.1'), false, 'removed');
    assert.equal(m.bans.covering('2001:db8:7:8:aaaa::1'), '2001:db8:7:8::/64');
    assert.equal(m.bans.covering('10.9.8.7'), '10.0.0.0/8');
    assert.deepEqual(
      m.effective.map((b) => b.target),
      ['2001:db8:7:8::/64', '10.0.0.0/8'],
    );

    // Extending a ban in force is not a new ban; a manual shortening is honoured.
    const short = { ...storeBan('2001:db8:7:8::/64'), until: Date.now() - 1 };
    other.putSync(short);
    m.bans.sync();
    assert.equal(m.bans.isBannedTarget('2001:db8:7:8::/64'), false, 'the store says it ended');
    assert.equal(m.effective.length, 2);
    m.bans.close();
  });

  it('reads a backlog a bounded slice at a time, the rest in later turns', async () => {
    const file = `${tmp.dir}/backlog.db`;
    const m = managerOn(file, { changesPerRead: 1000 });
    const other = new SqliteBanStore(file);
    const now = Date.now();
    other.putManySync(Array.from({ length: 2500 }, (_, i) => storeBan(`198.18.${i >> 8}.${i & 255}/32`, now)));
    m.bans.sync();
    assert.equal(m.bans.list.size, 1000, 'one slice per read');
    await waitFor('the backlog to be read', () => (m.bans.list.size === 2500 ? true : undefined));
    m.bans.close();
  });

  it('keeps a ban the store was too busy to take, whatever the log says meanwhile, and writes it later', async () => {
    const file = `${tmp.dir}/busy.db`;
    const m = managerOn(file, { writeWaitMs: 20, retryFirstMs: 20 });
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    const ban = m.bans.ban('203.0.113.9', REQUEST);
    assert.equal(ban?.target, '203.0.113.9/32');
    assert.equal(m.bans.pendingWrites, 1);
    assert.match(m.errors.join('\n'), /ban on 203\.0\.113\.9\/32 not written yet \(SQLITE_BUSY\)/);
    // The lock holder lifts an older ban on the same target before it lets go.
    locker.prepare(`INSERT INTO ban_changes (target, kind, until, at) VALUES ('203.0.113.9/32', 'remove', 0, 0)`).run();
    locker.exec('COMMIT');
    m.bans.sync();
    assert.equal(m.bans.isBanned('203.0.113.9'), true, 'no silent unban of a ban still waiting to be written');
    await waitFor('the retry to write the ban', () => (m.bans.pendingWrites === 0 ? true : undefined));
    const store = new SqliteBanStore(file);
    assert.deepEqual(
      store.activeSync(Date.now()).map((b) => b.target),
      ['203.0.113.9/32'],
    );
    m.bans.sync();
    assert.equal(m.bans.isBanned('203.0.113.9'), true);
    assert.match(m.errors.join('\n'), /1 waiting ban\(s\) written after/);
    m.bans.close();
  });

  it('spills the bans the store still refuses at close, for the next open to replay', () => {
    const file = `${tmp.dir}/close.db`;
    const m = managerOn(file, { writeWaitMs: 5, retryFirstMs: 60_000, closeWaitMs: 20 });
    const locker = new Database(file);
    locker.exec('BEGIN IMMEDIATE');
    m.bans.ban('203.0.113.44', REQUEST);
    m.bans.close();
    locker.exec('ROLLBACK');
    locker.close();
    const spill = new SpillFile(file);
    assert.match(m.errors.at(-1) ?? '', /1 ban\(s\) not written at shutdown: kept in .*spill-\d+\.jsonl/);
    assert.match(readFileSync(spill.path, 'utf8'), /"ban":\{"target":"203\.0\.113\.44\/32"/);
    const db = openSqlite(file);
    assert.deepEqual(spill.replayInto(db), { records: 1, unreadable: 0 });
    assert.deepEqual(
      new SqliteBanStore(db).activeSync(Date.now()).map((b) => b.target),
      ['203.0.113.44/32'],
    );
    db.close();
  });

  it('never bans a /64 that holds an allowlisted address', () => {
    const m = managerOn(`${tmp.dir}/allow.db`, { allowlist: new Allowlist(['2001:db8:5:6::10']) });
    assert.equal(m.bans.ban('2001:db8:5:6::99', REQUEST), null);
    assert.notEqual(m.bans.ban('2001:db8:5:7::99', REQUEST), null);
    m.bans.close();
  });
});

describe('drop reports', () => {
  it('tally a banned /64 as one report, naming a few of its addresses', () => {
    const m = managerOn(`${tmp.dir}/drops.db`);
    m.bans.ban('2001:db8:1:2::1', REQUEST);
    for (let i = 0; i < 50; i++) assert.equal(m.bans.dropIfBanned(`2001:db8:1:2::${(i + 1).toString(16)}`, 4000), true);
    m.bans.reportDrops();
    assert.equal(m.events.length, 1);
    const e = m.events[0] as SecurityEvent;
    assert.equal(e.event.count, 50);
    assert.match(
      e.message,
      /^dropped: 50 connections from banned 2001:db8:1:2::\/64 \(4\+ addresses: 2001:db8:1:2::1, /,
    );
    m.bans.close();
  });

  it('report early rather than tally more bans than the bound, losing no count', () => {
    const m = managerOn(`${tmp.dir}/bound.db`, { maxDropTargets: 3 });
    for (let i = 1; i <= 5; i++) m.bans.ban(`192.0.2.${i}`, REQUEST);
    for (let round = 0; round < 2; round++) for (let i = 1; i <= 5; i++) m.bans.dropIfBanned(`192.0.2.${i}`, 1);
    m.bans.reportDrops();
    const total = m.events.reduce((n, e) => n + (e.event.count ?? 0), 0);
    assert.equal(total, 10);
    assert.ok(m.events.length >= 4, `${m.events.length} reports`);
    assert.equal(m.events[0]?.message, 'dropped: 1 connection from banned 192.0.2.1');
    m.bans.close();
  });
});

describe('a copy of the list (the kernel firewall) hears every change', () => {
  it('tells sets for new, extended and shortened bans, lifts for removals, nothing for an unchanged row', () => {
    const file = `${tmp.dir}/updates.db`;
    const other = new SqliteBanStore(file);
    const { bans } = managerOn(file);
    const updates: string[] = [];
    bans.onUpdate((u) => updates.push(u.kind === 'set' ? `set ${u.target} ${u.until}` : `lift ${u.target}`));
    const now = Date.now();
    const ban = { ...storeBan('192.0.2.1/32', now), until: now + 60_000 };
    other.putSync(ban);
    bans.sync();
    other.putSync({ ...ban, until: now + 120_000 });
    other.putSync({ ...ban, until: now + 30_000 });
    other.putSync({ ...ban, until: now + 30_000 });
    bans.sync();
    other.removeSync('192.0.2.1/32');
    bans.sync();
    const made = bans.ban('192.0.2.9', REQUEST);
    assert.deepEqual(updates, [
      `set 192.0.2.1/32 ${now + 60_000}`,
      `set 192.0.2.1/32 ${now + 120_000}`,
      `set 192.0.2.1/32 ${now + 30_000}`,
      'lift 192.0.2.1/32',
      `set 192.0.2.9/32 ${made?.until}`,
    ]);
    bans.close();
  });

  it('mirrors what is in force at subscription, then the changes', async () => {
    const { mirrorBans } = await import('../../src/defense/banMirror.js');
    const file = `${tmp.dir}/mirror.db`;
    const other = new SqliteBanStore(file);
    other.putSync(storeBan('192.0.2.2/32'));
    other.putSync(storeBan('2001:db8:1:2::/64'));
    const { bans } = managerOn(file);
    const copy = new Map<string, number>();
    mirrorBans(bans, { ban: (t, u) => copy.set(t, u), lift: (t) => copy.delete(t) }, Date.now());
    assert.deepEqual([...copy.keys()].sort(), ['192.0.2.2/32', '2001:db8:1:2::/64']);
    other.removeSync('192.0.2.2/32');
    bans.sync();
    assert.deepEqual([...copy.keys()], ['2001:db8:1:2::/64']);
    bans.close();
  });
});
