import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { builtInBehaviours } from '../../../src/config/builtInDefaults.js';
import { Allowlist } from '../../../src/defense/allowlist.js';
import { BanManager } from '../../../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../../../src/defense/banPolicy.js';
import { SourceScores } from '../../../src/defense/sourceScores.js';
import { HttpBehaviour } from '../../../src/detect/behaviour/httpBehaviour.js';
import { BanCustodyBook } from '../../../src/gateway/cluster/banCustody.js';
import { isPeerMessage, type PeerChannel } from '../../../src/gateway/cluster/peerNews.js';
import { shareWithPeers } from '../../../src/gateway/cluster/sharedState.js';
import { SqliteBanStore } from '../../../src/store/sqlite/sqliteStore.js';
import type { Ban } from '../../../src/store/types.js';
import { tempDir, waitFor } from '../helpers.js';

const tmp = tempDir('bansho-custody-');
after(tmp.cleanup);

type Name = 'a' | 'b';

/**
 * Two gateway processes as the primary sees them: what each tells of its unwritten bans goes
 * into one custody book (as a structured-clone copy, like IPC); `handOver` gives an ended
 * one's to the other, as the primary does when a worker exits.
 */
function custodyPair() {
  const book = new BanCustodyBook<Name>();
  const adopters = new Map<Name, (bans: readonly Ban[]) => void>();
  const channel = (me: Name): PeerChannel => ({
    send() {},
    ban: () => Promise.resolve(),
    listen: () => () => {},
    holding() {},
    share() {},
    brief() {},
    custody(change) {
      book.told(me, structuredClone(change));
    },
    adopt(take) {
      adopters.set(me, take);
    },
  });
  const handOver = (ended: Name, heir: Name): void => {
    book.ended(ended);
    adopters.get(heir)?.(structuredClone(book.take()));
  };
  return { book, channel, handOver };
}

/** A gateway process's bans on its own database. */
function processState(name: string, channel: PeerChannel) {
  const bans = new BanManager({
    store: new SqliteBanStore(`${tmp.dir}/${name}.db`),
    policy: DEFAULT_BAN_POLICY,
    allowlist: new Allowlist([]),
    emit: () => {},
    pollMs: 3_600_000,
    retryFirstMs: 20,
    retryMaxMs: 40,
  });
  const scores = new SourceScores({ threshold: 20, windowMs: 60_000 });
  const shared = shareWithPeers(channel, { bans, scores, behaviour: new HttpBehaviour(builtInBehaviours()) }, (err) => {
    throw err;
  });
  return { bans, shared };
}

function storedBan(name: string, target: string): Record<string, unknown> | undefined {
  const db = new Database(`${tmp.dir}/${name}.db`, { readonly: true });
  try {
    return db
      .prepare('SELECT target, since, until, reason, threat_id, offence FROM bans WHERE target = ?')
      .get(target) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

function locked(name: string): Database.Database {
  const lock = new Database(`${tmp.dir}/${name}.db`);
  lock.exec('BEGIN IMMEDIATE');
  return lock;
}

describe('bans a process could not write outlive it: the primary hands them to a sibling', () => {
  const { book, channel, handOver } = custodyPair();
  const a = processState('a', channel('a'));
  const b = processState('b', channel('b'));
  after(() => {
    a.shared.stop();
    b.shared.stop();
    a.bans.close();
    b.bans.close();
  });

  it('the book holds only what waits for the store: nothing while bans are written at once', () => {
    assert.ok(a.bans.ban('192.0.2.40', { reason: 'test', threatId: 'prettypark', origin: 'auto' }));
    book.ended('a');
    assert.equal(book.orphans, 0, 'written at once: nobody else need write it');
  });

  it("an ended process's unwritten ban is written by the sibling it is handed to, as it was made", () => {
    const lockA = locked('a');
    let ban: Ban | null;
    try {
      ban = a.bans.ban('192.0.2.41', { reason: 'open proxy probe', threatId: 'prettypark', origin: 'auto' });
      assert.ok(ban);
      assert.equal(a.bans.pendingWrites, 1);
    } finally {
      // a is gone from here on: its queue is dropped unwritten (a killed process writes nothing).
      a.shared.stop();
      lockA.exec('ROLLBACK');
      lockA.close();
    }
    assert.equal(storedBan('b', '192.0.2.41/32'), undefined);
    handOver('a', 'b');
    assert.deepEqual(storedBan('b', '192.0.2.41/32'), {
      target: '192.0.2.41/32',
      since: ban.since,
      until: ban.until,
      reason: 'open proxy probe',
      threat_id: 'prettypark',
      offence: ban.offence,
    });
    assert.equal(b.bans.isBanned('192.0.2.41'), true, 'in force at the heir too');
    assert.equal(book.orphans, 0);
  });

  it('an heir whose store is locked too keeps the ban as its own: told as queued, then as written', async () => {
    const now = Date.now();
    const orphan: Ban = {
      target: '192.0.2.42/32',
      since: now,
      until: now + 60_000,
      reason: 'test',
      threatId: null,
      offence: 1,
      origin: 'auto',
    };
    book.told('a', { kind: 'queued', ban: orphan });
    const lockB = locked('b');
    let released = false;
    try {
      handOver('a', 'b');
      assert.equal(b.bans.pendingWrites, 1, 'queued behind the lock');
      // Should b end now, the ban passes on again.
      book.ended('b');
      assert.equal(book.orphans, 1);
      assert.deepEqual(book.take(), [orphan]);
      book.told('b', { kind: 'queued', ban: orphan });
      lockB.exec('ROLLBACK');
      released = true;
      await waitFor('the retried write', () => (b.bans.pendingWrites === 0 ? true : undefined));
    } finally {
      if (!released) lockB.exec('ROLLBACK');
      lockB.close();
    }
    assert.equal(storedBan('b', '192.0.2.42/32')?.until, orphan.until);
    book.ended('b');
    assert.equal(book.orphans, 0, 'written: b told the book, which let it go');
  });

  it('an orphan overridden by a longer ban here, or run out, is let go', () => {
    const now = Date.now();
    const longer = b.bans.ban('192.0.2.43', { reason: 'test', threatId: null, origin: 'auto' });
    assert.ok(longer);
    const shorter: Ban = { ...longer, until: longer.until - 1000, reason: 'shorter' };
    const expired: Ban = { ...longer, target: '192.0.2.44/32', since: now - 2000, until: now - 1000 };
    assert.equal(b.bans.adopt([shorter, expired]), 0);
    assert.equal(storedBan('b', '192.0.2.43/32')?.until, longer.until, 'not shortened');
    assert.equal(storedBan('b', '192.0.2.44/32'), undefined);
  });

  it('only whole ban records are taken off the IPC channel', () => {
    const ban = { target: '192.0.2.1/32', since: 1, until: 2, reason: 'r', threatId: null, offence: 1, origin: 'auto' };
    assert.equal(isPeerMessage({ bansho: 'peer-custody', change: { kind: 'queued', ban } }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-custody', change: { kind: 'lost', ban } }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-custody', change: { kind: 'written', ban: { target: 'x' } } }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-adopt', bans: [ban] }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-adopt', bans: [{ ...ban, origin: 'peer' }] }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-adopt', bans: ban }), false);
  });
});
