import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { PREFILTER_MEMO, RuleEngine } from '../../src/detect/engine.js';
import { EXAMPLE_LISTS, httpObservation } from '../../src/detect/examples.js';

const ids = (engine: RuleEngine, raw: string) =>
  engine
    .match(httpObservation(raw))
    .map((m) => m.ruleId)
    .sort();

describe('the prefilter memo (strings seen before)', () => {
  const { engine } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
  const attack = 'GET /index.php?id=1%27%20union%20select%20password%20from%20users-- HTTP/1.1\nHost: example.com\n\n';
  const plain = 'GET /about HTTP/1.1\nHost: example.com\nUser-Agent: curl/8.5\n\n';

  it('gives a repeated request the matches it gave the first time', () => {
    const first = ids(engine, attack);
    assert.ok(first.length > 0, 'the attack matches at all');
    assert.deepEqual(ids(engine, attack), first);
    assert.deepEqual(ids(engine, plain), []);
    assert.deepEqual(ids(engine, plain), []);
  });

  it('remembers plain header values with the rules their scan admitted', () => {
    const agent = 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)';
    const other = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const probe = (ua: string) => ids(engine, `GET /a HTTP/1.1\nHost: example.com\nUser-Agent: ${ua}\n\n`);
    const fresh = new RuleEngine(engine.rules);
    const expected = ids(fresh, `GET /a HTTP/1.1\nHost: example.com\nUser-Agent: ${agent}\n\n`);
    assert.ok(expected.length > 0, 'the scanner agent matches at all');
    // First sighting, second (remembered), third and later (from the memo), interleaved with a clean agent.
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(probe(agent), expected);
      assert.deepEqual(probe(other), []);
    }
  });

  it('still detects after a flood of unique strings has emptied the memo', () => {
    const before = ids(engine, attack);
    for (let i = 0; i < PREFILTER_MEMO.entries + 10; i++)
      engine.match(httpObservation(`GET /p${i}?q=${i} HTTP/1.1\n\n`));
    assert.deepEqual(ids(engine, attack), before);
  });

  it('scans strings beyond the memo length every time, with the same result as a fresh engine', () => {
    const long = `GET /search?q=${'a'.repeat(PREFILTER_MEMO.maxLength)}%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\n\n`;
    const fresh = new RuleEngine(engine.rules);
    const expected = ids(fresh, long);
    assert.ok(expected.length > 0, 'the long attack matches at all');
    assert.deepEqual(ids(engine, long), expected);
    assert.deepEqual(ids(engine, long), expected);
  });
});
