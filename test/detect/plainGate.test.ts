import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS, httpObservation, observationFromExample } from '../../src/detect/examples.js';
import type { Observation } from '../../src/observe/observation.js';

/**
 * The plain-request gate (src/detect/plainGate.ts) may only say "nothing can match" when the
 * engine finds nothing: a wrong "no" would let an attack line pass unseen.
 */
const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);

function assertSound(o: Observation, label: string): boolean {
  const cleared = engine.mayMatch(o) === false;
  if (cleared)
    assert.deepEqual(
      engine.match(o).map((m) => m.ruleId),
      [],
      `cleared by the gate but matched: ${label}`,
    );
  return cleared;
}

describe('plain-request gate', () => {
  it('clears no example a rule must match, on any request shape', () => {
    for (const r of rules)
      for (const example of [...r.spec.examples.match, ...r.spec.examples.nearMiss])
        assertSound(observationFromExample(example), `${r.spec.id}: ${JSON.stringify(example)}`);
  });

  it('clears ordinary requests, and not attacks written in escapes, case or odd spacing', () => {
    const ordinary = [
      'GET /css/site.css HTTP/1.1\nHost: localhost\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\nReferer: https://www.example.com/\n\n',
      'GET /shop/item/74958?ref=home&page=2 HTTP/1.1\nHost: localhost\nUser-Agent: curl/8.5.0\n\n',
      'HEAD /blog/2022/9/24/post-3272.html HTTP/1.0\n\n',
    ];
    for (const raw of ordinary) assert.equal(assertSound(httpObservation(raw), raw), true, `not cleared: ${raw}`);
    const attacks = [
      'GET /cgi-bin/.%2e/.%2e/.%2e/etc/passwd HTTP/1.1\n\n',
      "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1\n\n",
      'GET /index.php?id=1+UnIoN+SeLeCt+1 HTTP/1.1\n\n',
      'GET /?x=a=b=../../etc/passwd HTTP/1.1\n\n',
      'GET /PHPMYADMIN/index.php HTTP/1.1\n\n',
      'GET / HTTP/1.1\nUser-Agent: sqlmap/1.7\n\n',
      'GET http://irc.stealth.net:5558/ HTTP/1.1\n\n',
      'CONNECT maila.microsoft.com:25 / HTTP/1.0\n\n',
      'GET /\t/../etc/passwd HTTP/1.1\n\n',
    ];
    for (const raw of attacks) {
      const o = httpObservation(raw);
      assert.ok(engine.match(o).length > 0, `the engine should match: ${raw}`);
      assert.equal(assertSound(o, raw), false, raw);
    }
  });

  it('is sound on random requests built from attack fragments', () => {
    const fragment = fc.constantFrom(
      "'",
      '"',
      ' or ',
      'union',
      ' select ',
      '%27',
      '%2e',
      '../',
      '..%2f',
      '/.',
      '.',
      '<script>',
      'onerror=',
      '&#x3c;',
      '&amp;',
      '${jndi:',
      ';id',
      '|cat ',
      '/etc/passwd',
      'php://',
      'http://1.2.3.4/',
      'Acunetix',
      '\u00e9',
      '\t',
      '+',
      'a',
      '=',
      '&',
      '?',
      '  ',
    );
    const value = fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join(''));
    let cleared = 0;
    fc.assert(
      fc.property(value, value, value, value, (path, query, ua, referer) => {
        const raw = `GET /${path.replaceAll(/[\s?#]/g, '')}?${query.replaceAll(/[\s#]/g, '')} HTTP/1.1\nUser-Agent: ${ua.replaceAll('\n', ' ')}\nReferer: ${referer.replaceAll('\n', ' ')}\n\n`;
        if (assertSound(httpObservation(raw), raw)) cleared++;
      }),
      { numRuns: 2000 },
    );
    // A gate that never clears is sound and useless: some of these requests are harmless.
    assert.ok(cleared > 0, 'the gate cleared none of the random requests');
  });

  it('scans a header some rule names with its own literals, after headers no rule names shared a scan', () => {
    // A fresh engine: its gate makes the shared scan at the first unnamed header.
    const fresh = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS).engine;
    const cleared = (raw: string) => fresh.mayMatch(httpObservation(raw)) === false;
    assert.equal(cleared('GET / HTTP/1.1\nAccept: */*\nX-Trace: sqlmap/1.7\n\n'), true);
    assert.equal(cleared('GET / HTTP/1.1\nX-Other: sqlmap/1.7\n\n'), true);
    assert.equal(cleared('GET / HTTP/1.1\nUser-Agent: sqlmap/1.7\n\n'), false);
    // Every header's literals stay in the shared scan and in a named header's own.
    assert.equal(cleared('GET / HTTP/1.1\nX-Trace: mozi.m\n\n'), false);
    assert.equal(cleared('GET / HTTP/1.1\nUser-Agent: mozi.m\n\n'), false);
  });
});
