import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import { judgeRules } from '../../src/monitor/judge/lazyRules.js';

const REQUESTS = [
  'CONNECT maila.microsoft.com:25 / HTTP/1.0',
  'GET /index.php?id=1%20UNION%20SELECT%20password%20FROM%20users HTTP/1.1\r\nHost: www.example.com',
  'GET /index.html HTTP/1.1\r\nHost: www.example.com',
];

describe("the monitor judge's rules, built at first use", () => {
  it('judge as the packs loaded at once do, and name the same threats', async () => {
    const lists = { site_names: ['www.example.com'] };
    const rules = await judgeRules(lists, null);
    const engine = loadEngine({ lists });
    const catalog = loadCatalog();
    let matched = 0;
    for (const request of REQUESTS) {
      const expected = engine.match(httpObservation(request));
      const got = rules.engine.match(httpObservation(request));
      assert.deepEqual(got, expected, request);
      for (const m of got) assert.equal(rules.threatName(m.threatId), catalog.get(m.threatId)?.name);
      matched += got.length;
    }
    assert.ok(matched >= 2, 'the sample requests exercise rules');
    assert.equal(rules.engine.ruleCount, engine.ruleCount);
    assert.equal(rules.threatName('no-such-threat'), undefined);
  });
});
