import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { builtInBehaviours } from '../../../src/config/builtInDefaults.js';
import { Allowlist } from '../../../src/defense/allowlist.js';
import { BanManager } from '../../../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../../../src/defense/banPolicy.js';
import { SourceScores } from '../../../src/defense/sourceScores.js';
import { HttpBehaviour } from '../../../src/detect/behaviour/httpBehaviour.js';
import type { BanNews, PeerChannel } from '../../../src/gateway/cluster/peerNews.js';
import { RelayRounds } from '../../../src/gateway/cluster/relayRounds.js';
import { shareWithPeers } from '../../../src/gateway/cluster/sharedState.js';
import { SqliteBanStore } from '../../../src/store/sqlite/sqliteStore.js';
import { tempDir } from '../helpers.js';

const tmp = tempDir('bansho-acks-');
after(tmp.cleanup);

describe("the primary's relayed rounds (ban acknowledgements, totals)", () => {
  it('answers the banning worker once every other worker acknowledged, not before', () => {
    const answers: string[] = [];
    const acks = new RelayRounds<string, true>((to, id) => answers.push(`${to}:${id}`), 60_000);
    const relay = acks.open('w1', 7, ['w2', 'w3']);
    assert.notEqual(relay, null);
    acks.reply('w2', relay as number, true);
    assert.deepEqual(answers, [], 'w3 does not hold it yet');
    acks.reply('w2', relay as number, true);
    assert.deepEqual(answers, []);
    acks.reply('w3', relay as number, true);
    assert.deepEqual(answers, ['w1:7']);
    acks.reply('w3', relay as number, true);
    assert.deepEqual(answers, ['w1:7'], 'answered once');
    assert.equal(acks.pending, 0);
  });

  it('answers at once when no other worker is there to wait for', () => {
    const answers: string[] = [];
    const acks = new RelayRounds<string, true>((to, id) => answers.push(`${to}:${id}`), 60_000);
    assert.equal(acks.open('w1', 1, []), null);
    assert.deepEqual(answers, ['w1:1']);
  });

  it('a worker that goes is not waited for; a ban of its own needs no answer', () => {
    const answers: string[] = [];
    const acks = new RelayRounds<string, true>((to, id) => answers.push(`${to}:${id}`), 60_000);
    acks.open('w1', 1, ['w2', 'w3']);
    const theirs = acks.open('w3', 2, ['w1', 'w2']) as number;
    acks.reply('w2', theirs, true);
    acks.gone('w3');
    assert.equal(acks.pending, 1);
    acks.gone('w2');
    assert.deepEqual(answers, ['w1:1']);
    assert.equal(acks.pending, 0);
  });

  it("collects each worker's reply once, and settles with those that came when one goes", () => {
    const settled: Array<[string, number, Array<[string, number]>]> = [];
    const rounds = new RelayRounds<string, number>((to, id, replies) => settled.push([to, id, [...replies]]), 60_000);
    const relay = rounds.open('w1', 3, ['w2', 'w3', 'w4']) as number;
    rounds.reply('w2', relay, 20);
    rounds.reply('w2', relay, 21);
    rounds.reply('w9', relay, 90);
    assert.deepEqual(settled, [], 'w3 and w4 have not replied');
    rounds.gone('w4');
    rounds.reply('w3', relay, 30);
    assert.deepEqual(
      settled,
      [
        [
          'w1',
          3,
          [
            ['w2', 20],
            ['w3', 30],
          ],
        ],
      ],
      'the first reply of each awaited worker, none of the gone one',
    );
  });

  it('a worker that never answers holds the refusal back no longer than the bound', async () => {
    let answered: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const acks = new RelayRounds<string, true>(() => answered(), 20);
    acks.open('w1', 1, ['stuck']);
    assert.equal(acks.pending, 1);
    // The bound's timer does not keep a process alive by itself: this test's wait does.
    const alive = setInterval(() => {}, 1000);
    await done;
    clearInterval(alive);
    assert.equal(acks.pending, 0);
  });
});

describe('a ban made in one gateway process waits for its siblings', () => {
  // A channel whose ban news is acknowledged only when the test says so.
  const told: Array<{ news: BanNews; held: () => void }> = [];
  const channel: PeerChannel = {
    send() {},
    ban(news) {
      return new Promise((held) => told.push({ news, held }));
    },
    listen() {
      return () => {};
    },
    holding() {},
    brief() {},
    custody() {},
    adopt() {},
    share() {},
  };
  const bans = new BanManager({
    store: new SqliteBanStore(`${tmp.dir}/held.db`),
    policy: DEFAULT_BAN_POLICY,
    allowlist: new Allowlist([]),
    emit: () => {},
    pollMs: 3_600_000,
  });
  const shared = shareWithPeers(
    channel,
    { bans, scores: new SourceScores(), behaviour: new HttpBehaviour(builtInBehaviours()) },
    () => {},
  );
  after(() => {
    shared.stop();
    bans.close();
  });

  it('whenHeld is pending until the siblings hold the ban, then null', async () => {
    assert.equal(shared.whenHeld('192.0.2.9'), null, 'nothing being told: no wait');
    bans.ban('192.0.2.9', { reason: 'test', threatId: null, origin: 'auto' });
    assert.deepEqual(
      told.map((t) => t.news.target),
      ['192.0.2.9/32'],
    );
    const held = shared.whenHeld('192.0.2.9');
    assert.notEqual(held, null, 'the refusal must wait');
    assert.equal(shared.whenHeld('192.0.2.10'), null, 'another source does not wait');
    let settled = false;
    void held?.then(() => {
      settled = true;
    });
    await Promise.resolve();
    assert.equal(settled, false);
    told[0]?.held();
    await held;
    assert.equal(shared.whenHeld('192.0.2.9'), null);
  });

  it('a ban relayed from a sibling is not told back, and nothing waits on it', () => {
    bans.admit('192.0.2.11/32', Date.now() + 60_000);
    assert.equal(told.length, 1);
    assert.equal(shared.whenHeld('192.0.2.11'), null);
  });
});
