import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Html5Tokenizer } from '../../src/crs/libinjection/html5.js';
import { detectSqli, fingerprint } from '../../src/crs/libinjection/sqli.js';
import { fold } from '../../src/crs/libinjection/sqliFold.js';
import {
  emptyToken,
  FLAG_QUOTE_NONE,
  FLAG_SQL_ANSI,
  type SqliState,
  type Token,
} from '../../src/crs/libinjection/sqliToken.js';
import { tokenize } from '../../src/crs/libinjection/sqliTokenizer.js';
import { detectXss } from '../../src/crs/libinjection/xss.js';

/**
 * libinjection's own published test vectors (its tests/ directory, v3.9.2 as bundled with
 * ModSecurity; BSD licence in test/fixtures/libinjection/COPYING), run the way its testdriver.c
 * runs them: tokens, folded tokens, the SQLi fingerprint, HTML5 tokens, the XSS verdict.
 */
interface Vector {
  file: string;
  kind: 'tokens' | 'folding' | 'sqli' | 'html5' | 'xss';
  input: string;
  expected: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/libinjection/tests.json', import.meta.url), 'utf8'),
) as Vector[];

function state(s: string): SqliState {
  const tokens = Array.from({ length: 8 }, emptyToken);
  return {
    s,
    slen: s.length,
    flags: FLAG_QUOTE_NONE | FLAG_SQL_ANSI,
    pos: 0,
    tokens,
    current: tokens[0] as Token,
    fingerprint: '',
    statsCommentDdx: 0,
    statsCommentHash: 0,
    statsTokens: 0,
  };
}

/** testdriver.c's print_token. */
function printToken(t: Token): string {
  const quoted = `${t.strOpen}${t.val}${t.strClose}`;
  if (t.type === 's') return `${t.type} ${quoted}`;
  if (t.type === 'v') return `${t.type} ${'@'.repeat(Math.min(t.count, 2))}${quoted}`;
  return `${t.type} ${t.val}`;
}

function actual(v: Vector): string {
  switch (v.kind) {
    case 'tokens': {
      const sf = state(v.input);
      const out: string[] = [];
      while (tokenize(sf)) out.push(printToken(sf.current));
      return out.join('\n');
    }
    case 'folding': {
      const sf = state(v.input);
      const n = fold(sf);
      return sf.tokens
        .slice(0, n)
        .map((t) => printToken(t))
        .join('\n');
    }
    case 'sqli':
      return detectSqli(v.input) ?? '';
    case 'html5': {
      const h5 = new Html5Tokenizer(v.input, 'data');
      const out: string[] = [];
      while (h5.next()) out.push(`${h5TypeName(h5.tokenType)},${h5.tokenLen},${h5.tokenText()}`);
      return out.join('\n');
    }
    case 'xss':
      return detectXss(v.input) ? '1' : '0';
  }
}

function h5TypeName(type: string): string {
  return type === 'tagNameSelfClose' ? 'TAG_NAME_SELFCLOSE' : type.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

describe('libinjection test vectors', () => {
  it('has them all', () => assert.equal(vectors.length, 480));
  for (const kind of ['tokens', 'folding', 'sqli', 'html5'] as const) {
    // (libinjection 3.9.2 ships no test-xss vectors: XSS is covered below and by CRS's suite.)
    it(`${kind}: every vector`, () => {
      const failures = vectors
        .filter((v) => v.kind === kind)
        .filter((v) => actual(v).replace(/[ \n\t\r]+$/, '') !== v.expected)
        .map(
          (v) =>
            `${v.file}: ${JSON.stringify(v.input)} → ${JSON.stringify(actual(v))}, want ${JSON.stringify(v.expected)}`,
        );
      assert.deepEqual(failures, []);
    });
  }
});

describe('libinjection as CRS uses it', () => {
  it('flags classic injections with their fingerprint', () => {
    assert.equal(detectSqli("1' or '1'='1"), 's&sos');
    assert.ok(detectSqli('1 UNION SELECT password FROM users--') !== null);
    assert.equal(detectSqli('hello world'), null);
    assert.equal(fingerprint(state('SELECT 1'), FLAG_QUOTE_NONE | FLAG_SQL_ANSI), 'E1');
  });

  it('flags XSS and leaves text alone', () => {
    assert.equal(detectXss('<script>alert(1)</script>'), true);
    assert.equal(detectXss('" onmouseover="alert(1)'), true);
    assert.equal(detectXss('<a href="javascript:alert(1)">'), true);
    assert.equal(detectXss('a < b and c > d'), false);
    assert.equal(detectXss('x=1&y=2'), false);
  });
});
