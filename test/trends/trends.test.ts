import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsByPeriod } from '../../src/trends/counts.js';
import { describeTrend, trendOf } from '../../src/trends/direction.js';
import type { EventFact } from '../../src/trends/eventFacts.js';
import { DAY_MS, periodLabel, periodStart, periodStarts, unitFor } from '../../src/trends/periods.js';
import { describeRecurrence, episodesOf, recurrenceOf, recurrences } from '../../src/trends/recurrence.js';
import { topBy, topPaths, topSources } from '../../src/trends/top.js';

const T0 = Date.UTC(2003, 1, 3, 0, 12, 44); // Monday 3 Feb 2003

function fact(time: number, threatId: string, sourceIp = '151.21.4.7', path: string | null = '/'): EventFact {
  return { time, threatId, sourceIp, path, action: 'detected', sensor: 'logs', weight: 1 };
}

describe('periods (UTC)', () => {
  it('starts days, ISO weeks on Monday, and months', () => {
    assert.equal(periodStart(T0, 'day'), Date.UTC(2003, 1, 3));
    assert.equal(periodStart(T0 + 5 * DAY_MS, 'week'), Date.UTC(2003, 1, 3));
    assert.equal(periodStart(Date.UTC(2003, 1, 2, 23), 'week'), Date.UTC(2003, 0, 27));
    assert.equal(periodStart(T0, 'month'), Date.UTC(2003, 1, 1));
    assert.equal(periodLabel(Date.UTC(2003, 1, 3), 'week'), '2003-W06');
    assert.equal(periodLabel(Date.UTC(2002, 11, 30), 'week'), '2003-W01');
    assert.equal(periodStarts(Date.UTC(2003, 0, 15), Date.UTC(2003, 3, 2), 'month').length, 4);
    assert.equal(unitFor(30 * DAY_MS), 'day');
    assert.equal(unitFor(365 * DAY_MS), 'week');
  });
});

describe('counts per threat per period', () => {
  it('is dense and exact', () => {
    const facts = [fact(T0, 'prettypark'), fact(T0 + 1000, 'prettypark'), fact(T0 + 2 * DAY_MS, 'sql-slammer')];
    const c = countsByPeriod(facts, 'day', Date.UTC(2003, 1, 1), Date.UTC(2003, 1, 6) - 1);
    assert.equal(c.periods.length, 5);
    assert.deepEqual(c.series.get('prettypark'), [0, 0, 2, 0, 0]);
    assert.deepEqual(c.series.get('sql-slammer'), [0, 0, 0, 0, 1]);
    const weekly = countsByPeriod(facts, 'week', Date.UTC(2003, 0, 27), Date.UTC(2003, 1, 9));
    assert.deepEqual(weekly.series.get('prettypark'), [0, 2]);
  });
});

describe('rising, steady, declining — with the numbers', () => {
  const until = Date.UTC(2003, 1, 8);
  const week = 7 * DAY_MS;
  const at = (daysBefore: number, n: number) => new Array(n).fill(until - daysBefore * DAY_MS);

  it('calls Slammer declining a week after its outbreak, still trickling in', () => {
    const times = [...at(12, 480), ...at(3, 12)];
    const t = trendOf(times, until, week);
    assert.deepEqual(
      { word: t.word, recent: t.recent, previous: t.previous, changePct: t.changePct },
      {
        word: 'declining',
        recent: 12,
        previous: 480,
        changePct: -97.5,
      },
    );
    assert.equal(
      describeTrend(t),
      'declining: 12 in the last 7 days, 480 in the 7 days before (−97.5%), still trickling in',
    );
  });

  it('needs both a relative and an absolute change', () => {
    assert.equal(trendOf([...at(10, 2), ...at(2, 4)], until, week).word, 'steady', '2 → 4 is not news');
    assert.equal(trendOf([...at(10, 10), ...at(2, 16)], until, week).word, 'rising');
    assert.equal(trendOf([...at(10, 10), ...at(2, 12)], until, week).word, 'steady');
    assert.equal(trendOf(at(2, 5), until, week).word, 'new');
    assert.equal(trendOf(at(10, 5), until, week).word, 'gone');
    assert.equal(trendOf([], until, week).word, 'quiet');
    assert.equal(trendOf(at(30, 5), until, week).word, 'quiet', 'older than both windows');
  });
});

describe('recurrence', () => {
  const starts = [3, 2, 1, 0].map((k) => T0 - k * 120 * DAY_MS);
  const times = starts.flatMap((s) => [s, s + 7000, s + 10_000, s + 13_000]);

  it('finds 4 episodes about every 120 days and predicts the next', () => {
    const r = recurrenceOf('prettypark', 'threat', times);
    assert.equal(r.episodes.length, 4);
    assert.deepEqual(
      r.episodes.map((e) => e.count),
      [4, 4, 4, 4],
    );
    assert.deepEqual(r.intervalsDays, [120, 120, 120]);
    assert.equal(r.periodDays, 120);
    assert.equal(r.nextExpected, T0 + 120 * DAY_MS);
    assert.equal(describeRecurrence(r), '4 episodes, about every 120 days (intervals 120, 120, 120 days)');
  });

  it('gives a rough period for roughly periodic episodes, and says when they are irregular', () => {
    const rough = [0, 118, 241, 359].map((d) => T0 + d * DAY_MS);
    const r = recurrenceOf('x', 'source', rough);
    assert.equal(r.periodDays, 118);
    assert.match(describeRecurrence(r), /^4 episodes, about every 118 days/);
    const irregular = recurrenceOf(
      'y',
      'source',
      [0, 3, 200, 201.5].map((d) => T0 + d * DAY_MS),
    );
    assert.match(describeRecurrence(irregular), /irregularly/);
    assert.equal(irregular.nextExpected, null);
  });

  it('joins facts closer than the gap into one episode', () => {
    assert.equal(episodesOf([0, 1000, DAY_MS, 3 * DAY_MS], DAY_MS).length, 2);
    assert.equal(describeRecurrence(recurrenceOf('z', 'source', [T0])), '1 episode');
  });

  it('ranks recurring keys and drops one-off ones', () => {
    const byKey = new Map([
      ['151.21.4.7', [starts[0] as number, starts[2] as number]],
      ['151.29.130.2', [starts[3] as number]],
    ]);
    const found = recurrences(byKey, 'source');
    assert.deepEqual(
      found.map((r) => [r.key, r.periodDays]),
      [['151.21.4.7', 240]],
    );
  });
});

describe('top lists', () => {
  it('ranks sources, paths and anything else, ties by key', () => {
    const facts = [
      fact(T0, 'a', '10.0.0.2', 'maila.microsoft.com:25'),
      fact(T0, 'a', '10.0.0.1', 'maila.microsoft.com:25'),
      fact(T0, 'a', '10.0.0.1', '/'),
      fact(T0, 'b', '10.0.0.3', null),
    ];
    assert.deepEqual(topSources(facts), [
      { key: '10.0.0.1', count: 2 },
      { key: '10.0.0.2', count: 1 },
      { key: '10.0.0.3', count: 1 },
    ]);
    assert.deepEqual(topPaths(facts, 1), [{ key: 'maila.microsoft.com:25', count: 2 }]);
    assert.deepEqual(
      topBy(facts, (f) => f.threatId),
      [
        { key: 'a', count: 3 },
        { key: 'b', count: 1 },
      ],
    );
  });
});
