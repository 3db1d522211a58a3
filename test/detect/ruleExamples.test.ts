import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS, observationFromExample } from '../../src/detect/examples.js';

/** Every built-in rule carries requests it must match and near-misses it must not: run them all. */
const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);

describe('built-in rule examples', () => {
  for (const { spec, pack } of rules) {
    it(`${pack}/${spec.id}`, () => {
      for (const example of spec.examples.match) {
        const ids = engine.match(observationFromExample(example)).map((m) => m.ruleId);
        assert.ok(
          ids.includes(spec.id),
          `must match: ${JSON.stringify(example)} (matched: ${ids.join(', ') || 'nothing'})`,
        );
      }
      for (const example of spec.examples.nearMiss) {
        const ids = engine.match(observationFromExample(example)).map((m) => m.ruleId);
        assert.ok(!ids.includes(spec.id), `must not match: ${JSON.stringify(example)}`);
      }
    });
  }
});
