import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { RuleEngine } from '../../src/detect/engine.js';
import { EXAMPLE_LISTS, httpObservation } from '../../src/detect/examples.js';
import { foldAscii } from '../../src/detect/literalSet.js';
import { combinedGuard, IDENTITY_GUARDS, type IdentityGuard } from '../../src/detect/transforms/identity.js';
import { applyTransforms, TRANSFORM_NAMES, type TransformName } from '../../src/detect/transforms/index.js';
import type { Observation } from '../../src/observe/observation.js';

/** What the field pass checks before trusting one raw scan for all chains. */
function guardPasses(guard: IdentityGuard, value: string): boolean {
  for (const c of value) {
    if (guard.characters.includes(c)) return false;
    if (guard.asciiOnly && c.charCodeAt(0) > 0x7f) return false;
  }
  if (guard.substrings.some((s) => value.includes(s))) return false;
  return value === '' || !guard.leading.includes(value[0] as string);
}

/** Characters that make some transformation act, mixed with plain ones. */
const tricky = fc.constantFrom(
  'a',
  'B',
  '/',
  '.',
  '\\',
  '%',
  '%2e',
  '%u002e',
  '+',
  '&',
  '&lt;',
  '&#x3c;',
  ' ',
  '  ',
  '\t',
  '\n',
  '\0',
  'É',
  '\u00c0\u00ae',
  '\uff0e',
  '\u2215',
  '\u00a0',
  '\u212a',
  'İ',
  '=',
  ';',
);
const value = fc.array(tricky, { maxLength: 10 }).map((parts) => parts.join(''));
const chain = fc.array(fc.constantFrom(...TRANSFORM_NAMES), { minLength: 1, maxLength: 6 });

describe('identity guards (when a transformation leaves a value alone)', () => {
  it('hold for every transformation on random values', () => {
    for (const name of TRANSFORM_NAMES)
      fc.assert(
        fc.property(value, (v) => {
          if (guardPasses(IDENTITY_GUARDS[name], v))
            assert.equal(foldAscii(applyTransforms(v, [name])), foldAscii(v), `${name} on ${JSON.stringify(v)}`);
        }),
        { numRuns: 400 },
      );
  });

  it('hold for chains, under the combined guard', () => {
    fc.assert(
      fc.property(chain, value, (names: TransformName[], v) => {
        if (guardPasses(combinedGuard(names), v))
          assert.equal(
            foldAscii(applyTransforms(v, names)),
            foldAscii(v),
            `${names.join(',')} on ${JSON.stringify(v)}`,
          );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuse the values each transformation changes', () => {
    const changed: Array<[TransformName, string]> = [
      ['urlDecode', '%2e%2e/'],
      ['urlDecode', 'a+b'],
      ['lowercase', 'É'],
      ['normalizePath', '/a/./b'],
      ['normalizePath', '//a'],
      ['normalizePath', '\\a'],
      ['normalizePath', '.env/../x'],
      ['htmlEntityDecode', '&lt;script'],
      ['compressWhitespace', 'a  b'],
      ['compressWhitespace', 'a\tb'],
      ['removeWhitespace', 'a b'],
      ['removeNulls', 'a\0b'],
      ['unicodeFold', '\uff0e\uff0e/'],
    ];
    for (const [name, v] of changed) {
      assert.notEqual(foldAscii(applyTransforms(v, [name])), foldAscii(v), `${name} changes ${JSON.stringify(v)}`);
      assert.equal(guardPasses(IDENTITY_GUARDS[name], v), false, `${name}'s guard refuses ${JSON.stringify(v)}`);
    }
  });
});

describe('one raw scan for all chains never loses a match', () => {
  const { engine } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
  const unfiltered = new RuleEngine(engine.rules.map((r) => ({ ...r, prefilter: null })));
  const ids = (e: RuleEngine, raw: string) =>
    e
      .match(httpObservation(raw))
      .map((m) => m.ruleId)
      .sort();

  it('matches attacks hidden by escapes, entities, case, odd paths and Unicode disguises', () => {
    const attacks = [
      'GET /cgi-bin/%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\n\n',
      'GET /x?q=%3CsCrIpT%3Ealert(1)%3C/script%3E HTTP/1.1\n\n',
      'GET /x?q=1%27+UNION+SELECT+password+FROM+users-- HTTP/1.1\n\n',
      'GET /x?q=&lt;script&gt;alert(1)&lt;/script&gt; HTTP/1.1\n\n',
      'GET /admin/./../.env HTTP/1.1\n\n',
      'GET //.git/config HTTP/1.1\n\n',
      'GET /%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd HTTP/1.1\n\n',
      'GET /x?a=java%09script:alert(1) HTTP/1.1\n\n',
      'GET /x HTTP/1.1\nUser-Agent: Mozilla/5.0 SQLMAP/1.7\n\n',
    ];
    for (const raw of attacks) {
      const expected = ids(unfiltered, raw);
      assert.ok(expected.length > 0, `${JSON.stringify(raw)} matches some rule at all`);
      assert.deepEqual(ids(engine, raw), expected, raw);
    }
  });

  it('agrees with the rules evaluated in full on raw (unencoded) random values', () => {
    const fragment = fc.constantFrom(
      '../',
      '/./',
      '//',
      '\\',
      '.env',
      '.git/config',
      'etc/passwd',
      'UnIoN',
      ' SeLeCt ',
      '<ScRiPt>',
      '&lt;script&gt;',
      '&#x3c;',
      'javascript:',
      'java\tscript:',
      '%2e%2e%2f',
      '%3c',
      '+',
      "'",
      '\uff0e\uff0e\u2215',
      '\u00c0\u00ae',
      'É',
      'a',
      '=',
      '&',
    );
    const raw = fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(raw, raw, raw, (path, query, ua) => {
        const line = (s: string) => s.replace(/[\s#?]/g, '');
        const header = (s: string) => s.replace(/[\r\n]/g, '');
        const request = `GET /${line(path)}?q=${line(query)} HTTP/1.1\nHost: localhost\nUser-Agent: ${header(ua)}\nCookie: s=${line(query)}\n\n`;
        assert.deepEqual(ids(engine, request), ids(unfiltered, request), JSON.stringify(request));
      }),
      { numRuns: 500 },
    );
  });

  it('scans method, path and query by themselves when the request line does not hold them', () => {
    const o = httpObservation('GET /index.html HTTP/1.1\nHost: localhost\n\n');
    if (o.kind !== 'http') throw new Error('an HTTP example');
    const forged: Observation = {
      ...o,
      request: {
        ...o.request,
        method: 'CONNECT',
        path: '/cgi-bin/../../../../etc/passwd',
        query: 'q=1%27%20union%20select%201--',
      },
    };
    const names = (e: RuleEngine) =>
      e
        .match(forged)
        .map((m) => m.ruleId)
        .sort();
    const expected = names(unfiltered);
    assert.ok(expected.length > 0, 'the forged path and query match some rule at all');
    assert.deepEqual(names(engine), expected);
    const onlyMethod: Observation = { ...o, request: { ...o.request, method: 'CONNECT' } };
    const methodIds = (e: RuleEngine) =>
      e
        .match(onlyMethod)
        .map((m) => m.ruleId)
        .sort();
    assert.ok(methodIds(unfiltered).includes('proxy-connect-any'), 'the forged method matches at all');
    assert.deepEqual(methodIds(engine), methodIds(unfiltered));
  });

  it('does not trust the request line for a path starting with a dot', () => {
    const raw = 'GET .env/../.git/config HTTP/1.1\nHost: localhost\n\n';
    assert.deepEqual(ids(engine, raw), ids(unfiltered, raw));
  });

  it('agrees on query arguments that the query scan cannot stand for', () => {
    const requests = [
      // A value holding `=`, the separators, a value and a name starting with `.`.
      'GET /x?a=1&b=if(1=1,sleep(5),0) HTTP/1.1\n\n',
      'GET /item?id=(8362=9139)*9139 HTTP/1.1\n\n',
      'GET /x?a=1&&b==1 HTTP/1.1\n\n',
      'GET /x?file=../../../../etc/passwd HTTP/1.1\n\n',
      'GET /x?../../../../etc/passwd=1 HTTP/1.1\n\n',
      'GET /x?.htaccess HTTP/1.1\n\n',
      // Arguments from a body, which the request line does not hold.
      'POST /x HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n\nq=1 union select password from users',
      'POST /x?a=1 HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n\nq=<script>alert(1)</script>',
    ];
    for (const raw of requests) assert.deepEqual(ids(engine, raw), ids(unfiltered, raw), raw);
    for (const i of [0, 1, 3, 7])
      assert.ok(ids(unfiltered, requests[i] as string).length > 0, `${requests[i]} matches some rule at all`);
  });

  it('agrees on random plain queries built from separators and attack fragments', () => {
    const piece = fc.constantFrom(
      '=',
      '&',
      '.',
      '/',
      '..',
      'a',
      '1',
      'if(',
      'or',
      "'",
      '(',
      ')',
      'select',
      '<svg',
      'onload',
      '|',
      ';id',
      'etc/passwd',
    );
    const query = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(query, (q) => {
        const raw = `GET /p?${q} HTTP/1.1\nHost: localhost\n\n`;
        assert.deepEqual(ids(engine, raw), ids(unfiltered, raw), raw);
      }),
      { numRuns: 1500 },
    );
  });
});
