import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES_DIR } from '../../src/catalog/index.js';
import { loadRuleDir } from '../../src/catalog/loadRules.js';
import { EXAMPLE_LISTS } from '../../src/detect/examples.js';
import { PlainLine, plainRequestCuts } from '../../src/detect/plainLine.js';
import { plainObservation } from '../../src/detect/plainResidual.js';
import { autoFormat, resolveFormat } from '../../src/logs/formats.js';
import { analyzeLine, loggedSignal } from '../../src/logs/lineCore.js';
import { observationFromRecord } from '../../src/logs/toObservation.js';
import { clfTime, SEED_TIME } from './fixtures.js';

/**
 * The gate on the raw log line (src/detect/plainLine.ts, PlainGate.clearsLine) clears lines
 * before they are parsed. A wrong "cannot match" would let an attack line pass unseen, so it is
 * held to the full evaluation over every pack's examples written into access-log lines, as
 * they are and in encoded variants (percent-encoding, double encoding, case, `+` for spaces).
 */
const { engine, rules } = loadRuleDir(BUILTIN_RULES_DIR, EXAMPLE_LISTS);
const combined = autoFormat(resolveFormat('combined'));

interface Request {
  readonly line: string;
  readonly referer: string;
  readonly agent: string;
  readonly source: string;
}

/** Every HTTP example of every rule: request line, Referer, User-Agent and source. */
const EXAMPLES: readonly Request[] = rules.flatMap((r) =>
  [...r.spec.examples.match, ...r.spec.examples.nearMiss].flatMap((example): Request[] => {
    if (typeof example !== 'string' && 'udp' in example) return [];
    const raw = typeof example === 'string' ? example : example.raw;
    const source = typeof example === 'string' ? '203.0.113.7' : (example.source ?? '203.0.113.7');
    const [line = '', ...headers] = raw.split(/\r?\n/);
    const header = (name: string): string =>
      headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.replace(/^[^:]*:\s*/, '') ?? '-';
    return [{ line, referer: header('referer'), agent: header('user-agent'), source }];
  }),
);

/** What Apache writes for a field: `"` and `\` escaped, control bytes as \xhh. */
function logged(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are exactly what Apache escapes
  return text.replace(/[\\"\x00-\x1f\x7f]/g, (c) =>
    c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function logLine(r: Request, status: number): string {
  return `${r.source} - - ${clfTime(SEED_TIME)} "${logged(r.line)}" ${status} 512 "${logged(r.referer)}" "${logged(r.agent)}"`;
}

/** Encodings a client may use for the same request: each keeps what the rules decode the same. */
const encode = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
  (s: string) => s.replace(/[./'<>=]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
  (s: string) => s.replace(/[./'<>=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  (s: string) => s.replace(/%/g, '%25'),
  (s: string) => s.replace(/ /g, '+'),
  (s: string) => s.replace(/ /g, '%20'),
  (s: string) => s.replace(/[a-z]/g, (c, i: number) => (i % 3 ? c : `%${c.charCodeAt(0).toString(16)}`)),
);

/** The example with its target (path and query), Referer or User-Agent encoded. */
function variant(r: Request, how: (s: string) => string, part: number): Request {
  if (part === 1) return { ...r, referer: how(r.referer) };
  if (part === 2) return { ...r, agent: how(r.agent) };
  const [method = '', target = '', ...rest] = r.line.split(' ');
  const encoded = target.startsWith('/') ? `/${how(target.slice(1))}` : how(target);
  return { ...r, line: [method, encoded, ...rest].join(' ') };
}

/** The line through the raw gate: true when it cleared it, after holding the full evaluation to it. */
function assertSound(line: string): boolean {
  const plain = new PlainLine();
  if (!combined.plain?.(line, plain) || engine.mayMatchLine(plain)) return false;
  const record = combined.parse(line);
  assert.ok(record, `read by the raw-line reader but not parsed: ${line}`);
  const matches = engine.match(observationFromRecord(record, 0));
  assert.deepEqual(
    matches.map((m) => m.ruleId),
    [],
    `cleared before parsing but matched: ${line}`,
  );
  return true;
}

describe('raw-line gate (before parsing)', () => {
  it('clears no example line a rule matches, as written or encoded', () => {
    let cleared = 0;
    let matched = 0;
    for (const r of EXAMPLES) {
      const line = logLine(r, 200);
      if (assertSound(line)) cleared++;
      const record = combined.parse(line);
      if (record && engine.match(observationFromRecord(record, 0)).length > 0) matched++;
    }
    assert.ok(matched > EXAMPLES.length / 3, `the examples make attack lines (${matched} of ${EXAMPLES.length})`);
    assert.ok(cleared > 0, 'some near misses are cleared');
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES), encode, fc.integer({ min: 0, max: 2 }), (r, how, part) => {
        assertSound(logLine(variant(r, how, part), 200));
      }),
      { numRuns: 3000 },
    );
  });

  it('is sound on random lines built from attack fragments, in every part of the line', () => {
    // Fragments of the rules' literals and of what stops a scan, so that literals fall in each
    // part, across parts, next to stops, or belong to rules no log line can match (the gate
    // scans a log line for the others only).
    const fragment = fc.constantFrom(
      "'",
      'or',
      'union',
      '+select+',
      '%27',
      '%2e',
      '../',
      '/.',
      '.',
      '//',
      '<script>',
      'onerror=',
      '${jndi:',
      ';id',
      '|cat',
      '/etc/passwd',
      'php://',
      ':25',
      '/ HTTP/1.1',
      'get',
      'GET',
      'connect',
      '-s',
      '-d',
      'select',
      'phpmyadmin',
      '.env',
      '.git/',
      '\\',
      'a',
      '=',
      '&',
      '?',
      '#',
      '/',
    );
    const value = fc.array(fragment, { maxLength: 8 }).map((parts) => parts.join(''));
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'CONNECT', 'OPTIONS');
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0');
    let cleared = 0;
    fc.assert(
      fc.property(method, value, fc.option(value), version, value, value, (m, path, query, v, referer, agent) => {
        const target = `/${path}${query === null ? '' : `?${query}`}`;
        const line = logLine({ line: `${m} ${target} ${v}`, referer, agent, source: '198.51.100.4' }, 200);
        if (assertSound(line)) cleared++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(cleared > 20, `the gate clears some of the random lines (${cleared})`);
  });

  it('clears ordinary lines, but not one from a bogon source nor one the behaviours count', () => {
    const ordinary: Request = {
      line: 'GET /shop/item/74958?ref=home&page=2 HTTP/1.1',
      referer: 'https://www.example.org/',
      agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      source: '198.51.100.4',
    };
    const outcome = (r: Request, status: number) => analyzeLine(logLine(r, status), combined, engine, 0, null).kind;
    assert.equal(outcome(ordinary, 200), 'cleared');
    assert.equal(outcome({ ...ordinary, line: 'GET / HTTP/1.1' }, 200), 'cleared');
    assert.equal(outcome({ ...ordinary, source: '10.1.2.3' }, 200), 'cleared');
    assert.equal(outcome({ ...ordinary, source: '240.0.0.9' }, 200), 'threat');
    assert.equal(outcome(ordinary, 404), 'clean');
    assert.equal(outcome({ ...ordinary, line: 'POST /wp-login.php HTTP/1.1' }, 200), 'clean');
    assert.equal(outcome({ ...ordinary, line: 'GET /?author=2 HTTP/1.1' }, 200), 'clean');
  });

  it('reads a line as the parser does: the request it would build, and no behaviour signal', () => {
    const token = fc.stringMatching(/^[a-zA-Z0-9._~%!$'()*+,;=:@/-]{0,12}$/);
    // Now and then a byte above ASCII, which a log writes as it is and the cuts refuse.
    const odd = fc.oneof({ arbitrary: fc.constant(''), weight: 12 }, fc.constantFrom('\u00e9', '\u00a0'));
    const target = fc
      .tuple(token, odd, fc.option(token), fc.option(token))
      .map(
        ([path, byte, query, fragment]) =>
          `/${path}${byte}${query === null ? '' : `?${query}`}${fragment === null ? '' : `#${fragment}`}`,
      );
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'get');
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/2.0', 'HTTX/1.1');
    const header = fc.oneof(fc.constant('-'), fc.constant(''), token);
    const status = fc.constantFrom(200, 301, 400, 401, 403, 404, 500);
    let cut = 0;
    fc.assert(
      fc.property(method, target, version, header, header, status, (m, t, v, referer, agent, s) => {
        const line = logLine({ line: `${m} ${t} ${v}`, referer, agent, source: '198.51.100.4' }, s);
        const plain = new PlainLine();
        assert.ok(combined.plain?.(line, plain), line);
        const record = combined.parse(line);
        assert.ok(record);
        const observation = observationFromRecord(record, 0);
        const cuts = plainRequestCuts(plain.text, plain.lineFrom, plain.lineTo, new Int32Array(4));
        if (/[^\x21-\x7e]/.test(t)) assert.equal(cuts, null, `a target with a byte outside printable ASCII: ${line}`);
        // A line the cuts accept is a well-formed origin-form request, and reads the same.
        if (cuts === null) return;
        cut++;
        const fast = plainObservation(plain, cuts);
        assert.equal(observation.request.malformed, null, line);
        assert.deepEqual({ ...fast.request }, { ...observation.request }, line);
        assert.equal(fast.source.ip, observation.source.ip);
        if (analyzeLine(line, combined, engine, 0, null).kind === 'cleared')
          assert.equal(loggedSignal(line, observation), null, `cleared, but the behaviours count it: ${line}`);
      }),
      { numRuns: 2000 },
    );
    assert.ok(cut > 500, 'most generated lines are plain');
  });

  it('leaves other formats and escaped lines to the parser', () => {
    const plain = new PlainLine();
    assert.equal(resolveFormat('json').plain, undefined);
    const escaped = logLine({ ...EXAMPLES[0], line: 'GET /a"b HTTP/1.1' } as Request, 200);
    assert.equal(combined.plain?.(escaped, plain), false);
    assert.equal(combined.plain?.('not a log line', plain), false);
  });
});
