import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyAnalysisStats, tallyEvent } from '../../src/logs/tally.js';
import type { EncodedEvent } from '../../src/store/encodedEvent.js';

function event(ts: number, sourceIp: string, threatId: string | null): EncodedEvent {
  return { key: ts, ts, action: 'detected', sourceIp, threatId, ruleId: null, json: '{}' };
}

describe('tallyEvent: per threat and per source', () => {
  it('counts each source once per threat, however many events and in whatever order', () => {
    const stats = emptyAnalysisStats();
    tallyEvent(stats, event(30, '192.0.2.1', 'proxy'), 'count');
    tallyEvent(stats, event(10, '192.0.2.1', 'proxy'), 'count');
    tallyEvent(stats, event(20, '192.0.2.2', 'proxy'), 'count');
    // A source already seen, with a threat new to it: a source more for that threat.
    tallyEvent(stats, event(40, '192.0.2.2', 'traversal'), 'count');
    tallyEvent(stats, event(50, '192.0.2.1', 'traversal'), 'findings');
    tallyEvent(stats, event(60, '192.0.2.1', 'traversal'), 'findings');
    tallyEvent(stats, event(70, '192.0.2.3', null), 'count');

    const threats = Object.fromEntries([...stats.threats].map(([id, t]) => [id, { ...t }]));
    assert.deepEqual(threats, {
      proxy: { count: 3, findings: 0, first: 10, last: 30, sources: 2 },
      traversal: { count: 1, findings: 2, first: 40, last: 60, sources: 2 },
      unknown: { count: 1, findings: 0, first: 70, last: 70, sources: 1 },
    });
    assert.deepEqual(stats.sources.get('192.0.2.1'), {
      count: 2,
      findings: 2,
      first: 10,
      last: 60,
      threats: ['proxy', 'traversal'],
    });
    assert.deepEqual(stats.sources.get('192.0.2.2')?.threats, ['proxy', 'traversal']);
    assert.equal(stats.first, 10);
    assert.equal(stats.last, 70);
  });
});
