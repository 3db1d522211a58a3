import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR, loadCatalog } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS } from '../../src/detect/examples.js';
import type { Match } from '../../src/detect/types.js';
import { autoFormat, resolveFormat } from '../../src/logs/formats.js';
import { JsonBytes } from '../../src/logs/jsonBytes.js';
import { analyzeLine, eventPlace, hashText, threatEvent } from '../../src/logs/lineCore.js';
import { writeThreatJson } from '../../src/logs/threatJson.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { HttpObservation } from '../../src/observe/observation.js';
import { clfTime, SEED_TIME } from './fixtures.js';

/** Any UTF-16 code units, lone surrogates included (JSON.stringify escapes those). */
const units = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    // Past 48 units too: short text is copied by a loop, longer by one native call.
    { maxLength: 120 },
  )
  .map((codes) => String.fromCharCode(...codes));

/** The document the worker writes for a threat line, placed at `lineNo` in `file` as `id`. */
function written(
  line: string,
  observation: HttpObservation,
  matches: readonly Match[],
  threatName: (id: string) => string | undefined,
  place: { id: string; origin: { file: string; line: number } },
  initialBytes = 16,
): string {
  const out = new JsonBytes(initialBytes);
  writeThreatJson(out, line, observation, matches, threatName, place.id);
  // Written up to `"origin":`, whose value the reading thread's file and line complete.
  return `${out.written().toString('utf8')}${JSON.stringify(place.origin)}}}`;
}

describe('JsonBytes', () => {
  it('writes a string as the UTF-8 of JSON.stringify, lone surrogates, controls and quotes included', () => {
    fc.assert(
      fc.property(fc.array(units, { maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (texts, initial) => {
        const out = new JsonBytes(initial);
        for (const t of texts) out.string(t);
        assert.deepEqual(out.written(), Buffer.from(texts.map((t) => JSON.stringify(t)).join('')));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('writeThreatJson: a threat line event written without the event object', () => {
  it('is the JSON of threatEvent for every pack example that makes an attack line', () => {
    const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
    const catalog = loadCatalog();
    const threatName = (id: string) => catalog.get(id)?.name;
    const format = autoFormat(resolveFormat('combined'));
    let compared = 0;
    for (const rule of rules)
      for (const example of rule.spec.examples.match) {
        if (typeof example !== 'string' && 'udp' in example) continue;
        const raw = typeof example === 'string' ? example : example.raw;
        const [request = '', ...headers] = raw.split(/\r?\n/);
        const agent = headers.find((h) => h.toLowerCase().startsWith('user-agent:'))?.replace(/^[^:]*:\s*/, '') ?? '-';
        const escaped = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`);
        for (const status of [404, 200]) {
          const line = `203.0.113.7 - - ${clfTime(SEED_TIME)} "${escaped(request)}" ${status} 512 "-" "${escaped(agent)}"`;
          const outcome = analyzeLine(line, format, engine, 0, null);
          if (outcome.kind !== 'threat') continue;
          const place = eventPlace('identity', 1, hashText(line), 'access.log', 12_345);
          const event = threatEvent(line, outcome.observation, outcome.matches, threatName, place);
          assert.equal(written(line, outcome.observation, outcome.matches, threatName, place), JSON.stringify(event));
          compared++;
        }
      }
    assert.ok(compared > 200, `the examples make many attack lines (${compared})`);
  });

  it('is the JSON of threatEvent whatever the line, its request, headers, matches and names hold', () => {
    const text = fc.oneof(
      units,
      fc.constantFrom(
        '',
        '"',
        '\\',
        'é',
        '\u2028',
        '\ud800',
        'HTTP/',
        ' ',
        '"event":{"id":""',
        '"origin":{"file":"","line":0}',
      ),
    );
    const target = fc.oneof(
      fc.constantFrom('/', '/a?b=c', 'http://example.com:8080/x?y', 'example.com:25', '*', '/%2e%2e/etc/passwd'),
      text.map((t) => `/${t}`),
    );
    const match = fc.record({
      ruleId: text,
      ruleName: text,
      threatId: text,
      severity: fc.constantFrom('info', 'low', 'medium', 'high', 'critical'),
      score: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
      tags: fc.array(text, { maxLength: 2 }),
      field: text,
      value: fc.oneof(text, fc.string({ minLength: 250, maxLength: 300 })),
    });
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'CONNECT', 'g\u00e9t'),
          target,
          version: fc.constantFrom(' HTTP/1.1', ' HTTP/1.0', '', ' HTTP/2.0 x'),
          agent: fc.option(text),
          ip: text,
          destination: text,
          status: fc.option(fc.integer({ min: 100, max: 599 })),
          time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
          matches: fc.array(match, { minLength: 1, maxLength: 3 }),
          name: fc.option(text),
          long: fc.boolean(),
          lineNo: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(Number.MAX_SAFE_INTEGER)),
        }),
        (c) => {
          const request = `${c.method} ${c.target}${c.version}`;
          const line = c.long ? `${request} ${'x'.repeat(1100)}` : request;
          const observation: HttpObservation = {
            kind: 'http',
            transport: 'tcp',
            sensor: 'logs',
            time: c.time,
            source: { ip: c.ip, port: 0 },
            destination: { ip: c.destination, port: 443 },
            request: buildHttpRequest({
              line: c.long ? `${request}${'y'.repeat(200)}` : request,
              headers: c.agent === null ? [] : [['user-agent', c.agent]],
            }),
            status: c.status,
          };
          const matches: Match[] = c.matches.map((m) => ({ ...m, family: 'rule', action: 'log' }));
          const threatName = (id: string) => (c.name === null ? undefined : `${c.name}${id.slice(0, 1)}`);
          const place = eventPlace('identity', 3, hashText(line), `logs/${c.name}.log`, c.lineNo);
          const event = threatEvent(line, observation, matches, threatName, place);
          assert.equal(written(line, observation, matches, threatName, place), JSON.stringify(event));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
