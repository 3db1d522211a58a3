import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { CrsEngine, type CrsRequest, type CrsVerdict, loadCrs } from '../../src/crs/index.js';

/**
 * The engine's shortcuts (src/crs/requestGate.ts: rules passed over when the request holds
 * none of their regex's required literals under any of their pipelines; src/crs/initialState.ts:
 * phase 1's request-independent start run once) must change nothing but the time taken. A gate
 * that wrongly says "cannot match" lets an attack through unscored, so the engine with them is
 * held to the same rule set run without them, on CRS's own regression payloads as they are and
 * in encoded variants put in every place rules read (query, cookie, headers, urlencoded body).
 */
const CRS_DIR = join(process.cwd(), '..', 'shared', 'crs');
const TESTS = join(process.cwd(), '..', 'shared', 'corpus', 'crs-tests', 'tests', 'regression', 'tests');
const present = existsSync(CRS_DIR) && existsSync(TESTS);
const skip = present ? false : `${CRS_DIR} or ${TESTS} absent`;

interface Stage {
  input?: { method?: string; uri?: string; headers?: Record<string, unknown>; data?: unknown };
}

/** Every request of CRS's request-side regression tests. */
function payloads(): CrsRequest[] {
  const out: CrsRequest[] = [];
  for (const dir of readdirSync(TESTS, { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.startsWith('REQUEST-')) continue;
    for (const file of readdirSync(join(TESTS, dir.name))) {
      if (!file.endsWith('.yaml')) continue;
      const doc = parse(readFileSync(join(TESTS, dir.name, file), 'utf8')) as {
        tests?: Array<{ stages?: Stage[] }>;
      } | null;
      for (const test of doc?.tests ?? [])
        for (const stage of test.stages ?? []) {
          const input = stage.input ?? {};
          const headers = Object.entries(input.headers ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
          const data = Array.isArray(input.data) ? input.data.join('\r\n') : input.data;
          out.push({
            method: input.method ?? 'GET',
            uri: input.uri ?? '/',
            version: 'HTTP/1.1',
            headers: headers.length > 0 ? headers : [['Host', 'localhost']],
            body: typeof data === 'string' ? data : null,
            remoteAddr: '192.0.2.10',
          });
        }
    }
  }
  return out;
}

/** The verdict without what differs by construction between two engines (nothing should). */
function comparable(v: CrsVerdict): unknown {
  return {
    blocked: v.blocked,
    status: v.status,
    blockedBy: v.blockedBy,
    inbound: v.inboundScore,
    outbound: v.outboundScore,
    threshold: v.inboundThreshold,
    matches: v.matches.map((m) => [m.ruleId, m.matchedVar, m.matchedData, m.msg, m.logdata]),
  };
}

function pair(paranoiaLevel: number): { fast: CrsEngine; plain: CrsEngine } {
  const fast = loadCrs({ dir: CRS_DIR, paranoiaLevel });
  return { fast, plain: new CrsEngine(fast.ruleSet, { blockStatus: 403, shortcuts: false }) };
}

/** What a client may do to the same text: each is something some CRS pipeline undoes. */
const ENCODINGS: ReadonlyArray<(s: string) => string> = [
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
  (s) => s.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
  (s) => s.replace(/[a-z<>'"/ ]/g, (c) => `%25${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
  (s) => s.replace(/[a-z]/g, (c) => `%u00${c.charCodeAt(0).toString(16)}`),
  (s) => s.replace(/ /g, '+'),
  (s) => s.replace(/[<>'"a-e]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
  (s) => s.replace(/[a-e]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`),
  (s) => s.replace(/ /g, '/**/'),
  (s) => s.replace(/[aeiou]/g, (c) => `${c}\\`),
  (s) => s.replace(/ /g, '\t'),
  (s) => Buffer.from(s).toString('base64'),
];

/** The payload's attack text: its query, else its body, else its target. */
function attackText(r: CrsRequest): string {
  const q = r.uri.indexOf('?');
  if (q >= 0) return decodeSafely(r.uri.slice(q + 1));
  if (typeof r.body === 'string' && r.body !== '') return decodeSafely(r.body);
  return decodeSafely(r.uri);
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The encoded text put where rules read it. */
function placed(text: string, place: number): CrsRequest {
  const headers: Array<[string, string]> = [
    ['Host', 'localhost'],
    ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'],
    ['Accept', 'text/html,*/*;q=0.8'],
  ];
  const query = (t: string) => (/^[\x21-\x7e]*$/.test(t) ? t : encodeURIComponent(t));
  const base = { method: 'GET', uri: '/index.php', version: 'HTTP/1.1', headers, body: null, remoteAddr: '192.0.2.10' };
  switch (place) {
    case 0:
      return { ...base, uri: `/index.php?q=${query(text)}` };
    case 1:
      return { ...base, uri: `/index.php?${query(text)}=1` };
    case 2:
      return { ...base, headers: [...headers, ['Cookie', `session=${query(text)}`]] };
    case 3:
      return { ...base, headers: [...headers, ['Referer', `http://localhost/${text}`]] };
    case 4:
      return { ...base, headers: [...headers.slice(0, 1), ['User-Agent', text]] };
    case 5:
      return { ...base, uri: `/${query(text)}` };
    case 6:
      return {
        ...base,
        method: 'POST',
        headers: [...headers, ['Content-Type', 'application/x-www-form-urlencoded']],
        body: `a=1&q=${query(text)}`,
      };
    default:
      // A body no processor reads: only REQUEST_BODY (forced on by CRS's 901340) holds the text.
      return { ...base, method: 'POST', headers: [...headers, ['Content-Type', 'text/plain']], body: text };
  }
}

describe('CRS engine shortcuts: the same verdicts as without them', { skip }, () => {
  const requests = present ? payloads() : [];

  for (const pl of [1, 4]) {
    it(`PL${pl}: every CRS regression request, as it is`, () => {
      const { fast, plain } = pair(pl);
      assert.ok(requests.length > 1000, `only ${requests.length} payloads`);
      let matched = 0;
      for (const r of requests) {
        const expected = plain.evaluate(r);
        if (expected.matches.length > 0) matched++;
        assert.deepEqual(comparable(fast.evaluate(r)), comparable(expected), `${r.method} ${r.uri}`);
      }
      // The comparison means something only if the payloads make rules fire.
      assert.ok(matched > requests.length / 2, `${matched} of ${requests.length} requests matched`);
    });

    it(`PL${pl}: encoded variants of the payloads, in every place rules read`, () => {
      const { fast, plain } = pair(pl);
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: requests.length - 1 }),
          fc.integer({ min: 0, max: ENCODINGS.length - 1 }),
          fc.integer({ min: 0, max: 7 }),
          (index, encoding, place) => {
            const text = (ENCODINGS[encoding] as (s: string) => string)(attackText(requests[index] as CrsRequest));
            const r = placed(text, place);
            assert.deepEqual(comparable(fast.evaluate(r)), comparable(plain.evaluate(r)), JSON.stringify(r));
          },
        ),
        { numRuns: 1500 },
      );
    });
  }

  it('gates rules that read REQUEST_BODY too, and still runs them on the body alone', () => {
    const { fast, plain } = pair(1);
    const java = 'java.lang.Runtime.getRuntime().exec("id")';
    for (const r of [placed(java, 7), placed(java, 6), placed(java, 0), placed('hello', 7), placed('', 0)])
      assert.deepEqual(comparable(fast.evaluate(r)), comparable(plain.evaluate(r)), JSON.stringify(r));
    // 944100 reads ARGS, headers and REQUEST_BODY: a text/plain body reaches it through the last.
    assert.ok(
      fast.evaluate(placed(java, 7)).matches.some((m) => m.ruleId === 944100 && m.matchedVar === 'REQUEST_BODY'),
    );
    const gates = (fast as unknown as { ruleGates: Array<Array<{ group: number } | null>> }).ruleGates;
    const index = fast.ruleSet.phases[2]?.findIndex((item) => item.kind === 'rule' && item.rule.id === 944100) ?? -1;
    assert.ok(index >= 0 && gates[2]?.[index] != null, '944100 is gated');
  });

  it('passes over most rules of a benign request, and starts after the initialisation rules', () => {
    const { fast } = pair(1);
    const gate = (fast as unknown as { ruleGates: Array<Array<unknown>> }).ruleGates;
    const gated = gate.reduce((n, phase) => n + phase.filter((g) => g !== null).length, 0);
    assert.ok(gated > 100, `only ${gated} rules gated`);
    const initial = (fast as unknown as { initial: { start: number } | null }).initial;
    assert.ok(initial !== null && initial.start > 20, 'the 901 initialisation rules are run once');
  });
});
