import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS, httpObservation } from '../../src/detect/examples.js';
import { type RememberingEngine, RequestMemo } from '../../src/detect/requestMemo.js';
import type { HttpObservation } from '../../src/observe/observation.js';

const { engine } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);

/** The engine, with the calls the memo made of it in order. */
function traced(calls: string[]): RememberingEngine {
  return {
    ruleCount: engine.ruleCount,
    match: (o) => {
      calls.push('match');
      return engine.match(o);
    },
    mayMatch: (o) => engine.mayMatch(o),
    matchRequest: (o) => {
      calls.push('matchRequest');
      return engine.matchRequest(o);
    },
    matchKnown: (o, known) => {
      calls.push('matchKnown');
      return engine.matchKnown(o, known);
    },
  };
}

describe('RequestMemo', () => {
  const attack = httpObservation('GET /.env HTTP/1.1\nHost: example.com\n\n') as HttpObservation;

  it('keeps a request at its first sighting, or with admitOnRepeat at its second', () => {
    for (const [options, expected] of [
      [{}, ['matchRequest', 'matchKnown', 'matchKnown']],
      [{ admitOnRepeat: true }, ['match', 'matchRequest', 'matchKnown']],
    ] as const) {
      const calls: string[] = [];
      const memo = new RequestMemo(options);
      for (let i = 0; i < 3; i++) {
        const seen = memo.get('k');
        assert.deepEqual(memo.match(traced(calls), 'k', seen, attack), engine.match(attack));
        if (seen !== undefined) assert.equal(seen.request, attack.request);
      }
      assert.deepEqual(calls, expected);
    }
  });

  it('keeps no request under a key longer than its bound', () => {
    const memo = new RequestMemo();
    const key = 'k'.repeat(5000);
    memo.match(traced([]), key, undefined, attack);
    assert.equal(memo.get(key), undefined);
    memo.match(traced([]), 'short', undefined, attack);
    assert.notEqual(memo.get('short'), undefined);
  });
});
