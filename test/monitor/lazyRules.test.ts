import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import type { CrsSettings } from '../../src/config/crsSettings.js';
import { httpObservation } from '../../src/detect/examples.js';
import type { Engine } from '../../src/detect/types.js';
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

const CRS_DIR = join(process.cwd(), '..', 'shared', 'crs');

/** Each request judged first from one source, then again from a bogon one: `matchKnown` must say what `match` says. */
function assertRemembersAsMatch(engine: Engine, requests: readonly string[]): void {
  for (const request of requests) {
    const first = httpObservation(request);
    const judged = engine.matchRequest?.(first);
    assert.ok(judged !== undefined, 'the judge can keep what a request was found to be');
    assert.deepEqual(judged.matches, engine.match(first), request);
    const again = { ...first, source: { ip: '0.1.2.3', port: 0 } };
    const expected = engine.match(again);
    assert.ok(
      expected.some((m) => m.ruleId === 'bogon-source-http'),
      'the source tells the repeat apart',
    );
    assert.deepEqual(engine.matchKnown?.(again, judged.known), expected, request);
  }
}

describe("the monitor judge's rules, for a request seen again", () => {
  it('split off what the request alone decides', async () => {
    const rules = await judgeRules({ site_names: ['www.example.com'] }, null);
    assertRemembersAsMatch(rules.engine, REQUESTS);
  });

  it('judge a repeat in full where the rules cannot split (with the CRS)', { skip: !existsSync(CRS_DIR) }, async () => {
    const crs: CrsSettings = {
      dir: CRS_DIR,
      paranoiaLevel: 1,
      detectionParanoiaLevel: 1,
      inboundThreshold: null,
      blockStatus: 403,
      setupFile: null,
      exclusions: [],
    };
    const rules = await judgeRules({ site_names: ['www.example.com'] }, crs);
    assertRemembersAsMatch(rules.engine, REQUESTS);
  });
});
