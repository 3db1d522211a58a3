import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintRules } from '../../src/catalog/lint.js';

function lintPack(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-lint-'));
  try {
    writeFileSync(join(dir, 'p.yaml'), text);
    return lintRules({ rulesDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rule = (when: string, match: string, nearMiss: string) => `pack: p
rules:
  - id: r
    name: R
    threat: xss
    severity: low
    score: 1
    action: log
    when:
      - ${when}
    examples:
      match: ['${match}']
      nearMiss: ['${nearMiss}']
`;

describe('rules lint', () => {
  it('passes the built-in packs', () => {
    const report = lintRules();
    assert.deepEqual(report.problems, []);
    assert.ok(report.rules >= 70 && report.examples >= 2 * report.rules);
  });

  it('reports examples that do not behave', () => {
    const report = lintPack(
      rule('{ field: request.path, op: prefix, values: [/x] }', 'GET /y HTTP/1.1', 'GET /x HTTP/1.1'),
    );
    assert.deepEqual(
      report.problems.map((p) => p.kind),
      ['missed', 'near-miss-matched'],
    );
  });

  it('warns about a regex rule without a prefilter', () => {
    const report = lintPack(
      rule("{ field: request.path, op: regex, pattern: '[0-9]+$' }", 'GET /a1 HTTP/1.1', 'GET /a HTTP/1.1'),
    );
    assert.deepEqual(
      report.problems.map((p) => p.kind),
      ['no-prefilter'],
    );
  });

  it('finds a hand-written prefilter that cannot admit one of the regex alternatives', () => {
    const report = lintPack(
      rule(
        "{ field: request.path, op: regex, pattern: 'abcd|wxyz', prefilter: [abc] }",
        'GET /abcd HTTP/1.1',
        'GET /a HTTP/1.1',
      ),
    );
    const gaps = report.problems.filter((p) => p.kind === 'prefilter-gap');
    assert.equal(gaps.length, 1);
    assert.match(gaps[0]?.kind === 'prefilter-gap' ? gaps[0].alternative : '', /alternative 2/);
  });

  it('reports a load error with its location', () => {
    const report = lintPack('pack: p\nrules: [');
    assert.equal(report.problems[0]?.kind, 'load');
  });
});
