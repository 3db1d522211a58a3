import { fold } from './sqliFold.js';
import {
  emptyToken,
  FLAG_QUOTE_DOUBLE,
  FLAG_QUOTE_NONE,
  FLAG_QUOTE_SINGLE,
  FLAG_SQL_ANSI,
  FLAG_SQL_MYSQL,
  lookupWord,
  type SqliState,
  type Token,
} from './sqliToken.js';

/**
 * libinjection's SQL injection detector (v3.9.2, BSD-3-Clause, see LICENSE.libinjection),
 * as ModSecurity's @detectSQLi calls it: the input is tokenized and folded in up to five
 * contexts (as is, inside a single- or a double-quoted string; ANSI and MySQL comments), and
 * it is SQL injection when a resulting fingerprint is in the known-injection table and not
 * ruled out by the whitelist. Returns the fingerprint, or null.
 */
export function detectSqli(input: string): string | null {
  if (input.length === 0) return null;
  const sf = newState(input);
  const attempt = (flags: number): boolean => {
    fingerprint(sf, flags);
    return checkFingerprint(sf);
  };
  if (attempt(FLAG_QUOTE_NONE | FLAG_SQL_ANSI)) return sf.fingerprint;
  if (reparseAsMysql(sf) && attempt(FLAG_QUOTE_NONE | FLAG_SQL_MYSQL)) return sf.fingerprint;
  if (input.includes("'")) {
    if (attempt(FLAG_QUOTE_SINGLE | FLAG_SQL_ANSI)) return sf.fingerprint;
    if (reparseAsMysql(sf) && attempt(FLAG_QUOTE_SINGLE | FLAG_SQL_MYSQL)) return sf.fingerprint;
  }
  if (input.includes('"') && attempt(FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL)) return sf.fingerprint;
  return null;
}

function newState(s: string): SqliState {
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

/** libinjection_sqli_fingerprint: reset, fold, and read the token types. */
export function fingerprint(sf: SqliState, flags: number): string {
  sf.flags = flags;
  sf.pos = 0;
  sf.statsCommentDdx = 0;
  sf.statsCommentHash = 0;
  sf.statsTokens = 0;
  for (const t of sf.tokens) Object.assign(t, emptyToken());
  sf.current = sf.tokens[0] as Token;
  const n = fold(sf);
  const last = sf.tokens[n - 1];
  // An unterminated backtick word at the end reads as a comment (MySQL accepts it).
  if (
    n > 2 &&
    last !== undefined &&
    last.type === 'n' &&
    last.strOpen === '`' &&
    last.len === 0 &&
    last.strClose === ''
  )
    last.type = 'c';
  let fp = '';
  for (let i = 0; i < n; i++) fp += (sf.tokens[i] as Token).type;
  if (fp.includes('X')) {
    fp = 'X';
    const first = sf.tokens[0] as Token;
    first.type = 'X';
    first.val = 'X';
    (sf.tokens[1] as Token).type = '';
  }
  sf.fingerprint = fp;
  return fp;
}

function reparseAsMysql(sf: SqliState): boolean {
  return sf.statsCommentDdx > 0 || sf.statsCommentHash > 0;
}

function checkFingerprint(sf: SqliState): boolean {
  return blacklisted(sf) && notWhitelisted(sf);
}

function blacklisted(sf: SqliState): boolean {
  if (sf.fingerprint.length < 1) return false;
  return lookupWord(`0${sf.fingerprint.toUpperCase()}`) === 'F';
}

/** libinjection_sqli_not_whitelist: fingerprints that match but are too common in benign input. */
function notWhitelisted(sf: SqliState): boolean {
  const fp = sf.fingerprint;
  const t = sf.tokens as Token[] & { 0: Token; 1: Token; 2: Token };
  if (fp.length > 1 && fp[fp.length - 1] === 'c' && sf.s.includes('sp_password')) return true;
  switch (fp.length) {
    case 2: {
      if (fp[1] === 'U') return sf.statsTokens !== 2;
      if (t[1].val[0] === '#') return false;
      if (t[0].type === 'n' && t[1].type === 'c' && t[1].val[0] !== '/') return false;
      if (t[0].type === '1' && t[1].type === 'c' && t[1].val[0] === '/') return true;
      if (t[0].type === '1' && t[1].type === 'c') {
        if (sf.statsTokens > 2) return true;
        const ch = sf.s.charCodeAt(t[0].len);
        // C's signed char: a byte from 0x80 on is negative, so "<= 32" too.
        if (Number.isNaN(ch) || ch <= 32 || ch >= 128) return true;
        const next = sf.s[t[0].len + 1];
        if (ch === 0x2f && next === '*') return true;
        if (ch === 0x2d && next === '-') return true;
        return false;
      }
      if (t[1].len > 2 && t[1].val[0] === '-') return false;
      return true;
    }
    case 3: {
      if (fp === 'sos' || fp === 's&s') {
        if (t[0].strOpen === '' && t[2].strClose === '' && t[0].strClose === t[2].strOpen) return true;
        return false;
      }
      if (fp === 's&n' || fp === 'n&1' || fp === '1&1' || fp === '1&v' || fp === '1&s') {
        if (sf.statsTokens === 3) return false;
      } else if (t[1].type === 'k') {
        if (t[1].len < 5 || t[1].val.slice(0, 4).toUpperCase() !== 'INTO') return false;
      }
      return true;
    }
    default:
      return true;
  }
}
