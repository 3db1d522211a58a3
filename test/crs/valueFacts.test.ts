import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrsEngine, type CrsRequest, type CrsVerdict } from '../../src/crs/index.js';
import { buildEngine } from '../../src/crs/load.js';
import { parseConfig } from '../../src/crs/parser.js';
import { chainSteps } from '../../src/crs/transformChain.js';
import { ValueFacts, ValueFactsCache } from '../../src/crs/valueFacts.js';

/**
 * The rule set's facts about values (src/crs/valueFacts.ts) carry operator verdicts from one
 * request to the next. A verdict kept under the wrong key, or kept when it depends on more than
 * the value, changes what a later request matches: each case here runs a sequence of requests
 * through one engine (facts warm) and holds every verdict to the same rules run without facts.
 */
function engines(rules: string): { warm: CrsEngine; plain: CrsEngine } {
  const warm = buildEngine(parseConfig(rules, 'test.conf'), { dir: 'test' });
  const plain = new CrsEngine(buildEngine(parseConfig(rules, 'test.conf'), { dir: 'test' }).ruleSet, {
    blockStatus: 403,
    shortcuts: false,
  });
  return { warm, plain };
}

function get(uri: string, headers: Array<[string, string]> = []): CrsRequest {
  return {
    method: 'GET',
    uri,
    version: 'HTTP/1.1',
    headers: [['Host', 'www.example.org'], ...headers],
    body: null,
    remoteAddr: '192.0.2.1',
  };
}

const seen = (v: CrsVerdict) => v.matches.map((m) => `${m.ruleId} ${m.matchedVar}=${m.matchedData} [${m.logdata}]`);

/** Every request through both engines in turn; returns the warm engine's matches per request. */
function run(rules: string, requests: readonly CrsRequest[]): string[][] {
  const { warm, plain } = engines(rules);
  return requests.map((r) => {
    const got = seen(warm.evaluate(r));
    assert.deepEqual(got, seen(plain.evaluate(r)), `${r.uri} ${JSON.stringify(r.headers)}`);
    return got;
  });
}

describe('CRS value facts: operator verdicts kept across requests', () => {
  it('keeps one verdict per operator and pipeline: the same value under other rules is judged by each', () => {
    const rules = `
SecRule ARGS "@rx ^abc$" "id:1,phase:1,pass,log"
SecRule ARGS "@rx ^xyz$" "id:2,phase:1,pass,log"
SecRule ARGS "@rx ^abc$" "id:3,phase:1,pass,log,t:lowercase"
SecRule ARGS "@pm abc" "id:4,phase:1,pass,log,t:urlDecodeUni"
SecRule ARGS "!@rx ^abc$" "id:5,phase:1,pass,log"
`;
    const out = run(rules, [
      get('/?a=abc'),
      get('/?a=ABC'),
      get('/?a=abc'),
      get('/?a=xyz'),
      get('/?a=ABC'),
      get('/?a=%2561bc'),
    ]);
    assert.deepEqual(out, [
      ['1 ARGS:a=abc []', '3 ARGS:a=abc []', '4 ARGS:a=abc []'],
      ['3 ARGS:a=abc []', '4 ARGS:a=ABC []', '5 ARGS:a=ABC []'],
      ['1 ARGS:a=abc []', '3 ARGS:a=abc []', '4 ARGS:a=abc []'],
      ['2 ARGS:a=xyz []', '5 ARGS:a=xyz []'],
      ['3 ARGS:a=abc []', '4 ARGS:a=ABC []', '5 ARGS:a=ABC []'],
      ['4 ARGS:a=abc []', '5 ARGS:a=%61bc []'],
    ]);
  });

  it('names the variable a value is found in now, not where it was first seen', () => {
    const rules = `SecRule REQUEST_HEADERS:User-Agent|ARGS "@rx evil" "id:10,phase:1,pass,log,logdata:'%{MATCHED_VAR_NAME}'"`;
    const out = run(rules, [
      get('/', [['User-Agent', 'evil']]),
      get('/?q=evil', [['User-Agent', 'Mozilla/5.0']]),
      get('/?evil=1', [['User-Agent', 'Mozilla/5.0']]),
    ]);
    assert.deepEqual(out, [
      ['10 REQUEST_HEADERS:User-Agent=evil [REQUEST_HEADERS:User-Agent]'],
      ['10 ARGS:q=evil [ARGS:q]'],
      [],
    ]);
  });

  it('leaves excluded variables out, whatever was learned of their value elsewhere', () => {
    const rules = `
SecRule REQUEST_FILENAME "@streq /admin" "id:5,phase:1,pass,nolog,ctl:ruleRemoveTargetById=11;ARGS:q"
SecRule ARGS|!ARGS:safe "@rx evil" "id:11,phase:1,pass,log"
`;
    const out = run(rules, [
      get('/?q=evil'),
      get('/?safe=evil'),
      get('/admin?q=evil'),
      get('/admin?q=evil&r=evil'),
      get('/?safe=evil&q=evil'),
    ]);
    assert.deepEqual(out, [['11 ARGS:q=evil []'], [], [], ['11 ARGS:r=evil []'], ['11 ARGS:q=evil []']]);
  });

  it('captures again on a value whose match is known, and keeps no match of a negated capture', () => {
    const rules = `
SecRule ARGS "@rx ^id(\\d+)$" "id:20,phase:1,pass,capture,log,logdata:'%{TX.1}',setvar:tx.n=%{TX.1}"
SecRule TX:n "@rx ^(7)$" "id:21,phase:1,pass,capture,log,logdata:'n=%{TX.1}'"
SecRule ARGS "!@rx ^(id)\\d+$" "id:22,phase:1,pass,capture,log,logdata:'%{TX.1}'"
SecRule ARGS "@rx ^(i)d" "id:23,phase:1,pass,capture,log,logdata:'%{TX.1}%{TX.2}'"
SecRule ARGS "@pm id" "id:24,phase:1,pass,capture,log,logdata:'%{TX.0}%{TX.1}'"
`;
    const out = run(rules, [get('/?a=id7'), get('/?a=id9'), get('/?a=id7'), get('/?a=x'), get('/?a=id7')]);
    const id7 = ['20 ARGS:a=id7 [7]', '21 TX:n=7 [n=7]', '23 ARGS:a=id7 [i]', '24 ARGS:a=id7 [id]'];
    assert.deepEqual(out, [
      id7,
      ['20 ARGS:a=id9 [9]', '23 ARGS:a=id9 [i]', '24 ARGS:a=id9 [id]'],
      id7,
      ['22 ARGS:a=x []'],
      id7,
    ]);
  });

  it('keeps each step of a multiMatch pipeline apart', () => {
    const rules = `
SecRule ARGS "@rx ^a b$" "id:30,phase:1,pass,log,multiMatch,t:urlDecodeUni"
SecRule ARGS "@rx %20" "id:31,phase:1,pass,log,multiMatch,t:urlDecodeUni"
SecRule ARGS "@rx %20" "id:32,phase:1,pass,log,t:urlDecodeUni"
`;
    const out = run(rules, [get('/?a=a%2520b'), get('/?a=a%2520b'), get('/?a=a%20b')]);
    assert.deepEqual(out, [
      ['30 ARGS:a=a b []', '31 ARGS:a=a%20b []'],
      ['30 ARGS:a=a b []', '31 ARGS:a=a%20b []'],
      ['30 ARGS:a=a b []'],
    ]);
  });

  it('gives every link its own slots: no two operators or pipelines share one', () => {
    const { warm } = engines(`
SecRule ARGS "@rx a" "id:1,phase:1,pass,log"
SecRule ARGS "@rx a" "id:2,phase:1,pass,log,t:lowercase,multiMatch"
SecRule ARGS "@pm a" "id:3,phase:1,pass,log,chain"
SecRule ARGS "@detectSQLi" "t:urlDecodeUni,t:lowercase"
SecRule ARGS "@streq a" "id:4,phase:1,pass,log"
`);
    const taken = new Set<number>();
    let links = 0;
    for (const item of warm.ruleSet.phases[1] ?? [])
      if (item.kind === 'rule')
        for (const link of item.rule.links) {
          if (link.slot < 0) continue;
          links++;
          const width = link.multiMatch ? chainSteps(link.transformations).length : 1;
          for (let s = link.slot; s < link.slot + width; s++) {
            assert.ok(!taken.has(s), `slot ${s} shared`);
            assert.ok(s < warm.ruleSet.facts.slots);
            taken.add(s);
          }
        }
    assert.equal(links, 4, 'the string comparison keeps no verdict');
  });

  it('is bounded: a flood of unique values never holds more than two generations', () => {
    const cache = new ValueFactsCache(4, 8, 16);
    const first = cache.of('kept');
    first.verdicts = new Uint8Array([2, 0, 0, 0]);
    assert.equal(cache.of('kept'), first, 'a value seen again shares its facts');
    for (let i = 0; i < 1000; i++) {
      cache.of(`v${i}`);
      assert.ok(cache.size <= 16, `${cache.size} values held`);
    }
    const again = cache.of('kept');
    assert.notEqual(again, first, 'dropped with its generation');
    assert.equal(again.verdicts, undefined, 'nothing of the dropped facts comes back');
    const long = 'x'.repeat(17);
    const before = cache.size;
    assert.notEqual(cache.of(long), cache.of(long), 'a long value is not kept');
    assert.equal(cache.size, before);
    assert.ok(new ValueFacts('a').verdicts === undefined);
  });

  it('judges rightly after the flood, and belongs to its rule set (a rebuild starts empty)', () => {
    const rules = `SecRule ARGS "@rx ^evil$" "id:40,phase:1,pass,log"`;
    const { warm } = engines(rules);
    assert.equal(seen(warm.evaluate(get('/?a=evil'))).length, 1);
    for (let i = 0; i < 5000; i++) warm.evaluate(get(`/?a=v${i}&b=evil${i}`));
    assert.ok(warm.ruleSet.facts.size <= 2 * 2048, `${warm.ruleSet.facts.size} values held`);
    assert.deepEqual(seen(warm.evaluate(get('/?a=evil'))), ['40 ARGS:a=evil []']);
    assert.deepEqual(seen(warm.evaluate(get('/?a=v1'))), []);
    const rebuilt = engines(rules).warm;
    assert.notEqual(rebuilt.ruleSet.facts, warm.ruleSet.facts);
    assert.equal(rebuilt.ruleSet.facts.size, 0);
  });
});
