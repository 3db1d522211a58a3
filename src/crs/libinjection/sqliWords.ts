import { parseString, parseStringCore } from './sqliStrings.js';
import {
  assign,
  emptyToken,
  findChar,
  lookupWord,
  type SqliState,
  spanUntil,
  TOKEN_SIZE,
  VAR_STOP,
  WORD_STOP,
} from './sqliToken.js';

/** libinjection's parsers for words, variables and bracketed names (see sqliToken.ts). */
export function parseBword(sf: SqliState): number {
  const { s, slen, pos } = sf;
  const end = findChar(s, pos, slen, ']');
  if (end < 0) {
    assign(sf.current, 'n', pos, slen - pos, s.slice(pos));
    return slen;
  }
  assign(sf.current, 'n', pos, end - pos + 1, s.slice(pos, end + 1));
  return end + 1;
}

export function parseWord(sf: SqliState): number {
  const { s, slen, pos } = sf;
  const wlen = spanUntil(s, pos, slen, WORD_STOP);
  const t = sf.current;
  assign(t, 'n', pos, wlen, s.slice(pos, pos + wlen));
  for (let i = 0; i < t.len; i++) {
    const delim = t.val[i];
    if (delim === '.' || delim === '`') {
      const ch = lookupWord(t.val.slice(0, i));
      if (ch !== '' && ch !== 'n') {
        Object.assign(t, emptyToken());
        assign(t, ch, pos, i, s.slice(pos, pos + i));
        return pos + i;
      }
    }
  }
  if (wlen < TOKEN_SIZE) t.type = lookupWord(t.val) || 'n';
  return pos + wlen;
}

export function parseTick(sf: SqliState): number {
  const next = parseStringCore(sf.s, sf.slen, sf.pos, sf.current, '`', 1);
  sf.current.type = lookupWord(sf.current.val) === 'f' ? 'f' : 'n';
  return next;
}

export function parseVar(sf: SqliState): number {
  const { s, slen } = sf;
  let pos = sf.pos + 1;
  if (pos < slen && s[pos] === '@') {
    pos += 1;
    sf.current.count = 2;
  } else sf.current.count = 1;
  if (pos < slen) {
    if (s[pos] === '`') {
      sf.pos = pos;
      const next = parseTick(sf);
      sf.current.type = 'v';
      return next;
    }
    if (s[pos] === "'" || s[pos] === '"') {
      sf.pos = pos;
      const next = parseString(sf);
      sf.current.type = 'v';
      return next;
    }
  }
  const xlen = spanUntil(s, pos, slen, VAR_STOP);
  assign(sf.current, 'v', pos, xlen, s.slice(pos, pos + xlen));
  return pos + xlen;
}
