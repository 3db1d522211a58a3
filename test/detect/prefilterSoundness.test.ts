import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { RuleEngine } from '../../src/detect/engine.js';
import { EXAMPLE_LISTS, httpObservation, observationFromExample } from '../../src/detect/examples.js';
import type { Observation } from '../../src/observe/observation.js';

/**
 * Prefilters may only skip work, never change an answer: the engine with prefilters must give
 * exactly the matches of the same rules evaluated in full.
 */
const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
const unfiltered = new RuleEngine(engine.rules.map((r) => ({ ...r, prefilter: null })));
const ids = (e: RuleEngine, o: Observation) =>
  e
    .match(o)
    .map((m) => m.ruleId)
    .sort();

describe('prefilters never change the result', () => {
  it('on every example of every rule', () => {
    for (const r of rules)
      for (const example of [...r.spec.examples.match, ...r.spec.examples.nearMiss]) {
        const o = observationFromExample(example);
        assert.deepEqual(ids(engine, o), ids(unfiltered, o), `${r.spec.id}: ${JSON.stringify(example)}`);
      }
  });

  it('on random requests built from attack fragments', () => {
    const fragment = fc.constantFrom(
      "'",
      '"',
      ' or ',
      ' OR 1=1',
      'union',
      ' select ',
      '%27',
      '%2527',
      '../',
      '..%2f',
      '%c0%af',
      '<script>',
      'onerror=',
      'javascript:',
      '${jndi:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Log4Shell fragments, not templates
      '${${lower:j}',
      '() {',
      ';id',
      '|cat ',
      '/etc/passwd',
      'sleep(5)',
      'cd /tmp;wget',
      'php://',
      'http://1.2.3.4/',
      '#post_render',
      'class.module.classLoader',
      '%u002e',
      'a',
      ' ',
      '=',
      '&',
    );
    const value = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(value, value, value, (path, query, ua) => {
        const raw = `GET /${encodeURI(path).replaceAll('?', '%3F')}?q=${encodeURIComponent(query)} HTTP/1.1\nHost: localhost\nUser-Agent: ${ua.replaceAll('\n', ' ')}\nCookie: s=${encodeURIComponent(query)}\n\n`;
        const o = httpObservation(raw);
        assert.deepEqual(ids(engine, o), ids(unfiltered, o), raw);
      }),
      { numRuns: 500 },
    );
  });

  it('on datagrams: skipping a rule for another destination port never changes the result', () => {
    const ungated = new RuleEngine(engine.rules.map((r) => ({ ...r, prefilter: null, destinationPorts: null })));
    const port = fc.oneof(fc.constantFrom(53, 69, 123, 1434), fc.integer({ min: 0, max: 65535 }));
    const source = fc.constantFrom('192.0.2.1', '240.1.2.3', '0.0.0.1', '2001:db8::1', 'ff02::1');
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom(
        Uint8Array.from([0x17, 0, 3, 0x2a, 0, 0, 0, 0]),
        Uint8Array.from(Buffer.from('\u0000\u0001msblast.exe\u0000octet\u0000', 'latin1')),
        Uint8Array.from({ length: 376 }, (_, i) => (i === 0 ? 4 : 1)),
      ),
    );
    fc.assert(
      fc.property(port, source, payload, (dport, ip, bytes) => {
        const o: Observation = {
          kind: 'datagram',
          transport: 'udp',
          time: 0,
          sensor: 'monitor',
          source: { ip, port: 1 },
          destination: { ip: '192.0.2.2', port: dport },
          payload: bytes,
        };
        assert.deepEqual(ids(engine, o), ids(ungated, o), `${ip} → ${dport}: ${Buffer.from(bytes).toString('hex')}`);
      }),
      { numRuns: 500 },
    );
  });
});
