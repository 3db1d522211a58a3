import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS, observationFromExample } from '../../src/detect/examples.js';
import type { HttpObservation, Observation } from '../../src/observe/observation.js';

/**
 * `matchRequest` and `matchKnown` (src/detect/requestMatches.ts) must answer what `match`
 * answers: a request judged once, then seen again from another source, by another sensor or
 * on another port, gets exactly `match`'s matches, in its order.
 */
const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);

/** The same request seen otherwise: what the rules that read more than the request tell apart. */
function seenOtherwise(o: HttpObservation): HttpObservation[] {
  return [
    { ...o, source: { ip: '0.1.2.3', port: 0 }, sensor: 'logs' },
    { ...o, source: { ip: '198.51.100.7', port: 0 }, sensor: 'logs' },
    { ...o, source: { ip: '::ffff:240.0.0.9', port: 5 }, sensor: 'gateway', destination: { ip: '', port: 8080 } },
    { ...o, sensor: 'monitor', transport: 'tcp' },
  ];
}

describe('request matches kept for a repeated request', () => {
  it("gives match's answer for every rule example, seen again from other sources and sensors", () => {
    let differed = 0;
    for (const r of rules)
      for (const example of [...r.spec.examples.match, ...r.spec.examples.nearMiss]) {
        const first: Observation = observationFromExample(example);
        if (first.kind !== 'http') continue;
        const label = `${r.spec.id}: ${JSON.stringify(example)}`;
        const { matches, known } = engine.matchRequest(first);
        assert.deepEqual(matches, engine.match(first), label);
        for (const again of seenOtherwise(first)) {
          const expected = engine.match(again);
          if (expected.length !== known.matches.length) differed++;
          assert.deepEqual(
            engine.matchKnown(again, known),
            expected,
            `${label} from ${again.source.ip}, ${again.sensor}`,
          );
        }
      }
    // The source's and the sensor's rules did tell some of them apart: the merge was exercised.
    assert.ok(differed > 50, `only ${differed} repeats differed from the first`);
  });

  it('keeps only what the request alone decides', () => {
    const first = observationFromExample('GET /.env HTTP/1.1\n\n');
    assert.equal(first.kind, 'http');
    const bogon = { ...(first as HttpObservation), source: { ip: '0.1.2.3', port: 0 } };
    const { matches, known } = engine.matchRequest(bogon);
    const ids = matches.map((m) => m.ruleId);
    assert.ok(ids.includes('bogon-source-http'), ids.join());
    assert.ok(!known.matches.some((m) => m.ruleId === 'bogon-source-http'));
    assert.deepEqual(engine.matchKnown(first, known), engine.match(first));
  });
});
