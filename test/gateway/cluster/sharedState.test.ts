import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { builtInBehaviours } from '../../../src/config/builtInDefaults.js';
import { Allowlist } from '../../../src/defense/allowlist.js';
import { BanManager } from '../../../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../../../src/defense/banPolicy.js';
import { SourceScores } from '../../../src/defense/sourceScores.js';
import { HttpBehaviour } from '../../../src/detect/behaviour/httpBehaviour.js';
import { type BanNews, isPeerMessage, type PeerChannel, type PeerNews } from '../../../src/gateway/cluster/peerNews.js';
import { shareWithPeers } from '../../../src/gateway/cluster/sharedState.js';
import { SqliteBanStore } from '../../../src/store/sqlite/sqliteStore.js';
import { tempDir, waitFor } from '../helpers.js';

const tmp = tempDir('bansho-shared-');
after(tmp.cleanup);

/**
 * Two gateway processes' channels joined in memory, as the cluster primary joins them: what
 * one sends, the other hears (as a structured-clone copy, like IPC), and never itself.
 */
function joinedPair(): [PeerChannel, PeerChannel, PeerNews[], Array<() => readonly BanNews[]>] {
  const hearers: Array<Set<(news: PeerNews) => void>> = [new Set(), new Set()];
  const sent: PeerNews[] = [];
  // What each would tell a third process joining them.
  const briefs: Array<() => readonly BanNews[]> = [() => [], () => []];
  const channel = (me: 0 | 1): PeerChannel => ({
    send(news) {
      sent.push(news);
      for (const hear of hearers[1 - me] as Set<(news: PeerNews) => void>) hear(structuredClone(news));
    },
    ban(news) {
      this.send(news);
      return Promise.resolve();
    },
    listen(hear) {
      hearers[me]?.add(hear);
      return () => hearers[me]?.delete(hear);
    },
    holding() {},
    share() {},
    brief(tell) {
      briefs[me] = tell;
    },
    custody() {},
    adopt() {},
  });
  return [channel(0), channel(1), sent, briefs];
}

/** A gateway process's own state, on its own database: the change log cannot carry anything between the two. */
function processState(name: string, channel: PeerChannel) {
  const bans = new BanManager({
    store: new SqliteBanStore(`${tmp.dir}/${name}.db`),
    policy: DEFAULT_BAN_POLICY,
    allowlist: new Allowlist(['192.0.2.200']),
    emit: () => {},
    pollMs: 3_600_000,
  });
  const scores = new SourceScores({ threshold: 20, windowMs: 60_000 });
  const behaviour = new HttpBehaviour(builtInBehaviours());
  const errors: unknown[] = [];
  const shared = shareWithPeers(channel, { bans, scores, behaviour }, (err) => errors.push(err));
  return { bans, scores, behaviour, shared, errors };
}

describe('gateway processes sharing bans, scores and behaviour counts', () => {
  const [ca, cb, sent, briefs] = joinedPair();
  const a = processState('a', ca);
  const b = processState('b', cb);
  after(() => {
    a.shared.stop();
    b.shared.stop();
    a.bans.close();
    b.bans.close();
  });

  it('a ban made by one is in force in the other without its store', () => {
    assert.equal(b.bans.isBanned('192.0.2.7'), false);
    const ban = a.bans.ban('192.0.2.7', { reason: 'test', threatId: 'prettypark', origin: 'auto' });
    assert.ok(ban);
    assert.equal(b.bans.isBanned('192.0.2.7'), true, 'relayed, not read from a change log');
    assert.equal(b.bans.dropIfBanned('192.0.2.7', 40000), true);
    // Heard news is applied, not sent on: one message, from the process that banned.
    assert.deepEqual(
      sent.filter((n) => n.kind === 'ban'),
      [{ kind: 'ban', target: '192.0.2.7/32', until: ban.until }],
    );
    // The other process does not ban again (its own offence count, its own event).
    assert.equal(b.bans.ban('192.0.2.7', { reason: 'test', threatId: null, origin: 'auto' }), null);
  });

  it('an allowlisted source is never banned, so nothing is relayed', () => {
    const before = sent.length;
    assert.equal(a.bans.ban('192.0.2.200', { reason: 'test', threatId: null, origin: 'auto' }), null);
    assert.equal(sent.length, before);
    assert.equal(b.bans.isBanned('192.0.2.200'), false);
  });

  it('scores added in either process add up in both', () => {
    const now = Date.now();
    a.shared.scores.add('198.51.100.9', 8, now);
    b.shared.scores.add('198.51.100.9', 8, now);
    assert.equal(a.scores.peek('198.51.100.9', now).total, 16);
    assert.equal(b.scores.peek('198.51.100.9', now).total, 16);
    // The third probe crosses the threshold in the process it lands on, whichever that is.
    assert.equal(b.shared.scores.add('198.51.100.9', 8, now).overThreshold, true);
  });

  it('behaviour signals counted in one count in the other; the alert is raised where the request completing it landed', () => {
    const now = Date.now();
    const signal = (i: number) => ({
      time: now + i,
      source: '203.0.113.4',
      method: 'GET',
      path: `/missing-${i}`,
      query: '',
      status: 404,
    });
    const alerts: string[] = [];
    // Eleven distinct missing paths, alternating between the processes (the default limit is 10).
    for (let i = 0; i < 30 && alerts.length === 0; i++) {
      const own = i % 2 === 0 ? a : b;
      for (const alert of own.shared.behaviour.request(signal(i)))
        alerts.push(`${i % 2 === 0 ? 'a' : 'b'}:${alert.ruleId}`);
    }
    assert.equal(alerts.length, 1, 'one alert, from one process');
    const alone = new HttpBehaviour(builtInBehaviours());
    let aloneAt = -1;
    for (let i = 0; i < 30 && aloneAt < 0; i++) if (alone.request(signal(i)).length > 0) aloneAt = i;
    const sharedCount = sent.filter((n) => n.kind === 'signal' && n.signal.source === '203.0.113.4').length;
    assert.equal(sharedCount, aloneAt + 1, 'the two processes together alert after as many requests as one alone');
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  });

  it('two requests completing a behaviour that cross in flight between the processes are not lost: the next one raises it', () => {
    const now = Date.now();
    const signal = (i: number) => ({
      time: now + i,
      source: '203.0.113.5',
      method: 'GET',
      path: `/gone-${i}`,
      query: '',
      status: 404,
    });
    // Each process's own count, and what it hears of the other's (as sharedState applies it).
    const pa = new HttpBehaviour(builtInBehaviours());
    const pb = new HttpBehaviour(builtInBehaviours());
    for (let i = 0; i < 9; i++) {
      const [own, other] = i % 2 === 0 ? [pa, pb] : [pb, pa];
      assert.deepEqual(own.request(signal(i)), []);
      other.heard(signal(i));
    }
    // The 10th and 11th missing paths, each answered by one process before it hears the other's.
    assert.deepEqual(pb.request(signal(9)), []);
    assert.deepEqual(pa.request(signal(10)), []);
    pa.heard(signal(9));
    pb.heard(signal(10));
    // One process alone would have raised at the 11th; split, the 12th does, wherever it lands.
    const raised = pb.request(signal(11));
    assert.equal(raised.length, 1, 'the count completed by heard requests is raised by the next own one');
    assert.equal(raised[0]?.ruleId, 'behaviour-path-probing');
    pa.heard(signal(11));
  });

  it('a sibling whose fleet link wrote bans into the journal has the others read it at once, not at their next poll', () => {
    // The journal the fleet link writes into: here b's own database, as another connection to it.
    const journal = new SqliteBanStore(`${tmp.dir}/b.db`);
    const now = Date.now();
    journal.putSync({
      target: '198.51.100.77/32',
      since: now,
      until: now + 60_000,
      reason: 'fleet',
      threatId: null,
      offence: 1,
      origin: 'auto',
    });
    assert.equal(b.bans.isBanned('198.51.100.77'), false, 'not read before its next poll (an hour here)');
    ca.send({ kind: 'sync' });
    assert.equal(b.bans.isBanned('198.51.100.77'), true);
  });

  it('a process joining is told the bans its store cannot give it yet: those waiting for a locked store, until written', async () => {
    assert.deepEqual(briefs[0]?.(), [], 'every ban so far is in the store');
    // Another process holds the store's write lock longer than a ban may wait for it.
    const lock = new Database(`${tmp.dir}/a.db`);
    lock.exec('BEGIN IMMEDIATE');
    let written = false;
    try {
      const ban = a.bans.ban('192.0.2.31', { reason: 'test', threatId: 'prettypark', origin: 'auto' });
      assert.ok(ban);
      assert.equal(a.bans.pendingWrites, 1, 'the ban waits for the store');
      assert.deepEqual(briefs[0]?.(), [{ kind: 'ban', target: '192.0.2.31/32', until: ban.until }]);
      assert.deepEqual(briefs[1]?.(), [], "b holds it, but made none: it is a's to tell");
      lock.exec('ROLLBACK');
      written = true;
      await waitFor('the retried write', () => (a.bans.pendingWrites === 0 ? true : undefined));
      assert.deepEqual(briefs[0]?.(), [], 'written: a joining process reads it from the store');
    } finally {
      if (!written) lock.exec('ROLLBACK');
      lock.close();
    }
  });

  it('only well-formed news is taken off the IPC channel', () => {
    assert.equal(isPeerMessage({ bansho: 'peer-news', news: { kind: 'ban', target: '192.0.2.1/32', until: 1 } }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-news', news: { kind: 'ban', target: 7 } }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-news', news: { kind: 'signal', signal: null } }), false);
    assert.equal(isPeerMessage({ cmd: 'NODE_CLUSTER' }), false);
    assert.equal(isPeerMessage(null), false);
    assert.equal(isPeerMessage({ bansho: 'peer-ack', id: 3 }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-news', news: { kind: 'sync' } }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-ack', id: '3' }), false);
    const ban = { kind: 'ban', target: '192.0.2.1/32', until: 1 };
    assert.equal(isPeerMessage({ bansho: 'peer-briefed', id: 2, bans: [ban] }), true);
    assert.equal(isPeerMessage({ bansho: 'peer-briefed', id: 2, bans: [{ kind: 'sync' }] }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-briefed', id: 2, bans: ban }), false);
    assert.equal(isPeerMessage({ bansho: 'peer-arrived', id: 2 }), true);
    assert.equal(
      isPeerMessage({ bansho: 'peer-news', news: { kind: 'ban', target: '192.0.2.1/32', until: 1 }, id: 0.5 }),
      false,
    );
  });
});
