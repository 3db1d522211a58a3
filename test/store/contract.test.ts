import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventAction } from '../../src/events/securityEvent.js';
import { encodeEvent } from '../../src/store/encodedEvent.js';
import { openStore } from '../../src/store/openStore.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './pgTestDb.js';
import { storeBan, storeEvent } from './records.js';

/**
 * One contract, every Store: the SQLite file and a throwaway PostgreSQL database get the same
 * calls and must give the same answers.
 */
const dir = mkdtempSync(join(tmpdir(), 'bansho-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Subject {
  readonly name: string;
  readonly skip: string | false;
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

let n = 0;
const SUBJECTS: Subject[] = [
  {
    name: 'sqlite',
    skip: false,
    async open() {
      const store = await openStore({ kind: 'sqlite', file: join(dir, `store-${++n}.db`) });
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'postgres',
    skip: pgSkip,
    async open() {
      const db: TestDatabase = await createTestDatabase();
      const store = await openStore({ kind: 'postgres', url: db.url });
      return {
        store,
        async dispose() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];

const T0 = Date.parse('2026-03-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function ev(id: string, ip: string, ts: number, action: EventAction = 'blocked', threat?: string) {
  const e = storeEvent(id, ip, iso(ts));
  e.event.action = action;
  if (threat) e.threat = { software: { id: threat, name: threat } };
  return encodeEvent(e);
}

for (const subject of SUBJECTS) {
  describe(`store contract: ${subject.name}`, { skip: subject.skip }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await subject.open());
    });
    after(async () => {
      await dispose?.();
    });

    it('appends events once by id, and queries them by source, threat, action and time', async () => {
      const batch = [
        ev('a1', '192.0.2.1', T0, 'blocked', 'prettypark'),
        ev('a2', '192.0.2.1', T0 + 1000, 'banned', 'prettypark'),
        ev('a3', '192.0.2.2', T0 + 2000, 'flow'),
        // A 2003 log analysed today: outside every month partition.
        ev('old', '192.0.2.3', Date.parse('2003-02-03T10:00:00Z'), 'detected', 'prettypark'),
      ];
      assert.equal(await store.appendEvents(batch), 4);
      assert.equal(await store.appendEvents(batch), 0, 'a replayed batch adds nothing');
      assert.deepEqual(
        (await store.queryEvents({ sourceIp: '192.0.2.1' })).map((e) => e.event.id),
        ['a1', 'a2'],
      );
      assert.deepEqual(
        (await store.queryEvents({ threatId: 'prettypark', newestFirst: true, limit: 2 })).map((e) => e.event.id),
        ['a2', 'a1'],
      );
      assert.deepEqual(
        (await store.queryEvents({ actions: ['flow', 'detected'] })).map((e) => e.event.id),
        ['old', 'a3'],
      );
      assert.equal(await store.countEvents({ since: T0, until: T0 + 2000 }), 2);
      assert.equal(await store.countEvents({}), 4);
    });

    it('pages events newest first by cursor, and feeds the ones after a seq', async () => {
      const all = [];
      let page = await store.eventPage({ limit: 3 });
      while (page.length > 0) {
        all.push(...page);
        const last = page.at(-1);
        if (!last) break;
        page = await store.eventPage({ limit: 3, before: { ts: last.ts, seq: last.seq } });
      }
      assert.deepEqual(
        all.map((s) => s.event.event.id),
        ['a3', 'a2', 'a1', 'old'],
      );
      const lastSeq = await store.lastEventSeq();
      assert.equal(lastSeq, Math.max(...all.map((s) => s.seq)));
      await store.appendEvents([ev('a4', '192.0.2.4', T0 + 3000, 'blocked', 'proxy-probe')]);
      assert.deepEqual(
        (await store.eventsAfter(lastSeq, 10)).map((s) => s.event.event.id),
        ['a4'],
      );
      assert.deepEqual(
        (await store.eventPage({ limit: 10, threatId: 'prettypark', since: T0 })).map((s) => s.event.event.id),
        ['a2', 'a1'],
      );
    });

    it('aggregates what the dashboard and the report read', async () => {
      assert.deepEqual(await store.sourceCounts(T0, 10), [
        { ip: '192.0.2.1', events: 2, last: T0 + 1000 },
        { ip: '192.0.2.4', events: 1, last: T0 + 3000 },
      ]);
      assert.deepEqual(await store.threatTimes(T0), [
        { threat: 'prettypark', ts: T0 },
        { threat: 'prettypark', ts: T0 + 1000 },
        { threat: 'proxy-probe', ts: T0 + 3000 },
      ]);
      assert.deepEqual(await store.threatTimes(0, 'proxy-probe'), [{ threat: 'proxy-probe', ts: T0 + 3000 }]);
      assert.deepEqual(await store.countsByAction(T0), { blocked: 2, banned: 1, flow: 1 });
    });

    it('keeps bans with their change log and offences', async () => {
      const now = Date.now();
      const start = await store.latestBanChange();
      await store.putBans([storeBan('198.51.100.1/32', now - 2000), storeBan('198.51.100.2/32', now - 1000, 2)]);
      await store.putBans([{ ...storeBan('2001:db8:1:2::/64', now), origin: 'manual' }]);
      assert.equal(await store.countActiveBans(now), 3);
      assert.deepEqual(
        (await store.activeBans(now)).map((b) => b.target),
        ['198.51.100.1/32', '198.51.100.2/32', '2001:db8:1:2::/64'],
      );
      assert.deepEqual(
        (await store.activeBans(now, { offset: 1, limit: 1 })).map((b) => b.target),
        ['198.51.100.2/32'],
      );
      assert.deepEqual(await store.banOn('2001:db8:1:2::/64', now), {
        ...storeBan('2001:db8:1:2::/64', now),
        origin: 'manual',
      });
      assert.equal(await store.banOn('198.51.100.9/32', now), null);
      assert.equal(await store.removeBan('198.51.100.2/32'), true);
      assert.equal(await store.removeBan('198.51.100.2/32'), false, 'nothing to lift the second time');
      assert.equal(await store.offences('198.51.100.2/32'), 2, 'offences outlive the ban');
      assert.equal(await store.offences('198.51.100.9/32'), 0);
      const { changes, prunedThrough } = await store.banChanges(start, 100);
      assert.equal(prunedThrough, 0);
      assert.deepEqual(
        changes.map((c) => [c.target, c.kind]),
        [
          ['198.51.100.1/32', 'put'],
          ['198.51.100.2/32', 'put'],
          ['2001:db8:1:2::/64', 'put'],
          ['198.51.100.2/32', 'remove'],
        ],
      );
      assert.ok(
        changes.every((c, i) => i === 0 || c.seq > (changes[i - 1]?.seq ?? 0)),
        'seqs grow',
      );
      assert.equal(await store.latestBanChange(), changes.at(-1)?.seq);
      assert.deepEqual(
        (await store.banChanges(changes[1]?.seq ?? 0, 1)).changes.map((c) => c.target),
        ['2001:db8:1:2::/64'],
      );
    });

    it('prunes old events, the old change log (marking how far) and long-ended bans', async () => {
      const now = Date.now();
      await store.putBans([{ ...storeBan('203.0.113.5/32', now - 10_000), until: now - 5000 }]);
      const latest = await store.latestBanChange();
      const pruned = await store.prune({ eventsBefore: T0, changesBefore: Date.now() + 60_000, batch: 1000 });
      assert.equal(pruned.events, 1, 'the 2003 event');
      assert.equal(pruned.bans, 1, 'the ban that ended');
      assert.ok(pruned.changes >= 5, JSON.stringify(pruned));
      assert.equal(await store.countEvents({}), 4);
      const after = await store.banChanges(0, 10);
      assert.deepEqual(after.changes, []);
      assert.equal(after.prunedThrough, latest, 'a reader behind this knows it missed rows');
      assert.equal(await store.latestBanChange(), latest, 'the cursor never goes back');
      assert.equal(await store.offences('203.0.113.5/32'), 1);
    });

    it("keeps an attacker's bytes as they were: NUL, a lone surrogate, quotes and backslashes", async () => {
      const e = storeEvent('odd', '192.0.2.250', iso(T0 + 60_000));
      e.bansho.evidence = 'GET /\u0000\ud800"\\x HTTP/1.1';
      assert.equal(await store.appendEvents([encodeEvent(e)]), 1);
      const [back] = await store.queryEvents({ sourceIp: '192.0.2.250' });
      assert.equal(back?.bansho.evidence, e.bansho.evidence);
    });
  });
}
