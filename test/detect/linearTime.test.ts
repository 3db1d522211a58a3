import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { compileRegex, setRegexMeter } from '../../src/detect/regex.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { HttpObservation } from '../../src/observe/observation.js';

/**
 * A 1 MB header and a 1 MB query built to make backtracking regexes explode. The engine is
 * run on Observations that skip the sensors' bounds, so the regexes really see 1 MB. Work is
 * bounded by counting the characters handed to regexes (RE2 is linear in those); the time
 * ceiling is only a backstop, orders of magnitude above what linear matching needs.
 */
const MB = 1 << 20;
const CEILING_MS = 60_000;

function hugeObservation(query: string, headerValue: string, body = '', contentType = 'text/plain'): HttpObservation {
  const base = buildHttpRequest({ line: 'GET /search HTTP/1.1', headers: [['host', 'localhost']] });
  return {
    kind: 'http',
    transport: 'tcp',
    time: 0,
    sensor: 'cli',
    source: { ip: '203.0.113.9', port: 1 },
    destination: { ip: '127.0.0.1', port: 80 },
    status: null,
    request: {
      ...base,
      query,
      headers: [
        ...base.headers,
        ['user-agent', headerValue],
        ['cookie', headerValue],
        ['referer', headerValue],
        ['content-type', contentType],
      ],
      bodyPrefix: body,
    },
  };
}

describe('linear time on hostile input', () => {
  it('RE2 semantics: (a+)+$ on a long non-matching input is a single linear pass', () => {
    const re = compileRegex('(a+)+$');
    const meter = { calls: 0, chars: 0 };
    setRegexMeter(meter);
    const started = performance.now();
    try {
      assert.equal(re.test(`${'a'.repeat(100_000)}!`), false);
    } finally {
      setRegexMeter(null);
    }
    assert.equal(meter.chars, 100_001);
    assert.ok(performance.now() - started < CEILING_MS);
  });

  it('1 MB query and headers through every pack: bounded work, no explosion', () => {
    const engine = loadEngine();
    // Quotes, parentheses, `or`, `${`, `<`, `;` and spaces: every prefilter fires, every regex runs.
    const unit = "' or (((( ${${ <a on x=;|`$( ";
    const hostile = unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
    const observation = hugeObservation(`q=${encodeURIComponent(hostile).slice(0, MB)}`, hostile);
    const meter = { calls: 0, chars: 0 };
    setRegexMeter(meter);
    const started = performance.now();
    let matched: string[];
    try {
      matched = engine.match(observation).map((m) => m.ruleId);
    } finally {
      setRegexMeter(null);
    }
    const elapsed = performance.now() - started;
    assert.ok(matched.length > 0, 'hostile input should match something');
    assert.ok(meter.calls > 0, 'the regexes must actually have run');
    // Every regex scans each value it reads at most once: total work is (regex conditions) × (input size).
    const inputChars = 4 * MB + observation.request.query.length;
    assert.ok(meter.chars <= engine.ruleCount * inputChars, `${meter.chars} chars scanned`);
    assert.ok(elapsed < CEILING_MS, `took ${elapsed.toFixed(0)} ms`);
  });

  it('1 MB XML and multipart bodies are read in one pass', () => {
    const engine = loadEngine();
    const xml = `<r>${'<a x="1" y=\'2\' '.repeat(MB / 16)}`.slice(0, MB);
    const multipart =
      `--B\r\n${'Content-Disposition: form-data; name="a"\r\n\r\n\' or 1=1\r\n--B\r\n'.repeat(MB / 64)}`.slice(0, MB);
    for (const [body, type] of [
      [xml, 'application/xml'],
      [multipart, 'multipart/form-data; boundary=B'],
    ] as const) {
      const started = performance.now();
      engine.match(hugeObservation('', 'x', body, type));
      assert.ok(performance.now() - started < CEILING_MS);
    }
  });
});
