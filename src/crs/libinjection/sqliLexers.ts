import {
  assign,
  assignChar,
  emptyToken,
  find2,
  findChar,
  isWhite,
  lookupWord,
  type SqliState,
  spanOf,
  spanUntil,
  TOKEN_SIZE,
  type Token,
  VAR_STOP,
  WORD_STOP,
} from './sqliToken.js';

/**
 * libinjection's lexers for literals: quoted strings and string-like literals, words, variables
 * and bracketed names (see sqliToken.ts). One file because they call each other, as in the C.
 */
/** libinjection's parsers for quoted strings and string-like literals (see sqliToken.ts). */
/** Whether the quote at `end + 1` is escaped by an odd run of backslashes ending at `end`. */
function isBackslashEscaped(s: string, end: number, start: number): boolean {
  let p = end;
  while (p >= start && s[p] === '\\') p--;
  return ((end - p) & 1) === 1;
}

export function parseStringCore(s: string, len: number, pos: number, st: Token, delim: string, offset: number): number {
  let q = findChar(s, pos + offset, len, delim);
  st.strOpen = offset > 0 ? delim : '';
  for (;;) {
    if (q < 0) {
      assign(st, 's', pos + offset, len - pos - offset, s.slice(pos + offset, len));
      st.strClose = '';
      return len;
    }
    if (isBackslashEscaped(s, q - 1, pos + offset)) {
      q = findChar(s, q + 1, len, delim);
    } else if (q + 1 < len && s[q + 1] === s[q]) {
      q = findChar(s, q + 2, len, delim);
    } else {
      assign(st, 's', pos + offset, q - (pos + offset), s.slice(pos + offset, q));
      st.strClose = delim;
      return q + 1;
    }
  }
}

export function parseString(sf: SqliState): number {
  return parseStringCore(sf.s, sf.slen, sf.pos, sf.current, sf.s[sf.pos] as string, 1);
}

export function parseEstring(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 2 >= slen || s[pos + 1] !== "'") return parseWord(sf);
  return parseStringCore(s, slen, pos, sf.current, "'", 2);
}

export function parseUstring(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 2 < slen && s[pos + 1] === '&' && s[pos + 2] === "'") {
    sf.pos += 2;
    const next = parseString(sf);
    sf.current.strOpen = 'u';
    if (sf.current.strClose === "'") sf.current.strClose = 'u';
    return next;
  }
  return parseWord(sf);
}

function parseQstringCore(sf: SqliState, offset: number): number {
  const { s, slen } = sf;
  const pos = sf.pos + offset;
  if (pos >= slen || (s[pos] !== 'q' && s[pos] !== 'Q') || pos + 2 >= slen || s[pos + 1] !== "'") return parseWord(sf);
  let ch = s[pos + 2] as string;
  // C compares a signed char: bytes from 0x80 on are negative, so below 33 too.
  const code = ch.charCodeAt(0);
  if (code < 33 || code >= 128) return parseWord(sf);
  ch = ({ '(': ')', '[': ']', '{': '}', '<': '>' } as Record<string, string>)[ch] ?? ch;
  const end = find2(s, pos + 3, slen, ch, "'");
  if (end < 0) {
    assign(sf.current, 's', pos + 3, slen - pos - 3, s.slice(pos + 3));
    sf.current.strOpen = 'q';
    sf.current.strClose = '';
    return slen;
  }
  assign(sf.current, 's', pos + 3, end - pos - 3, s.slice(pos + 3, end));
  sf.current.strOpen = 'q';
  sf.current.strClose = 'q';
  return end + 2;
}

export const parseQstring = (sf: SqliState): number => parseQstringCore(sf, 0);

export function parseNqstring(sf: SqliState): number {
  if (sf.pos + 2 < sf.slen && sf.s[sf.pos + 1] === "'") return parseEstring(sf);
  return parseQstringCore(sf, 1);
}

function parseDigitString(sf: SqliState, digits: string): number {
  const { s, slen, pos } = sf;
  if (pos + 2 >= slen || s[pos + 1] !== "'") return parseWord(sf);
  const wlen = spanOf(s, pos + 2, slen, digits);
  if (pos + 2 + wlen >= slen || s[pos + 2 + wlen] !== "'") return parseWord(sf);
  assign(sf.current, '1', pos, wlen + 3, s.slice(pos, pos + wlen + 3));
  return pos + 2 + wlen + 1;
}

export const parseBstring = (sf: SqliState): number => parseDigitString(sf, '01');
export const parseXstring = (sf: SqliState): number => parseDigitString(sf, '0123456789ABCDEFabcdef');

export function parseMoney(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 1 === slen) {
    assignChar(sf.current, 'n', pos, '$');
    return slen;
  }
  let xlen = spanOf(s, pos + 1, slen, '0123456789.,');
  if (xlen === 0) {
    if (s[pos + 1] === '$') {
      // PostgreSQL $$ … $$ string.
      const end = find2(s, pos + 2, slen, '$', '$');
      const t = sf.current;
      if (end < 0) {
        assign(t, 's', pos + 2, slen - (pos + 2), s.slice(pos + 2));
        t.strOpen = '$';
        t.strClose = '';
        return slen;
      }
      assign(t, 's', pos + 2, end - (pos + 2), s.slice(pos + 2, end));
      t.strOpen = '$';
      t.strClose = '$';
      return end + 2;
    }
    // PostgreSQL $tag$ … $tag$ string.
    xlen = spanOf(s, pos + 1, slen, 'abcdefghjiklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
    if (xlen === 0 || pos + xlen + 1 === slen || s[pos + xlen + 1] !== '$') {
      assignChar(sf.current, 'n', pos, '$');
      return pos + 1;
    }
    const tag = s.slice(pos, pos + xlen + 2);
    const start = pos + xlen + 2;
    const found = s.indexOf(tag, start);
    const t = sf.current;
    if (found < 0) {
      assign(t, 's', start, slen - start, s.slice(start));
      t.strOpen = '$';
      t.strClose = '';
      return slen;
    }
    assign(t, 's', start, found - start, s.slice(start, found));
    t.strOpen = '$';
    t.strClose = '$';
    return found + xlen + 2;
  }
  if (xlen === 1 && s[pos + 1] === '.') return parseWord(sf);
  assign(sf.current, '1', pos, 1 + xlen, s.slice(pos, pos + 1 + xlen));
  return pos + 1 + xlen;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function parseNumber(sf: SqliState): number {
  const { s, slen } = sf;
  let pos = sf.pos;
  if (s[pos] === '0' && pos + 1 < slen) {
    const x = s[pos + 1];
    const digits = x === 'X' || x === 'x' ? '0123456789ABCDEFabcdef' : x === 'B' || x === 'b' ? '01' : null;
    if (digits !== null) {
      const xlen = spanOf(s, pos + 2, slen, digits);
      if (xlen === 0) {
        assign(sf.current, 'n', pos, 2, s.slice(pos, pos + 2));
        return pos + 2;
      }
      assign(sf.current, '1', pos, 2 + xlen, s.slice(pos, pos + 2 + xlen));
      return pos + 2 + xlen;
    }
  }
  const start = pos;
  while (pos < slen && isDigit(s[pos])) pos++;
  if (pos < slen && s[pos] === '.') {
    pos++;
    while (pos < slen && isDigit(s[pos])) pos++;
    if (pos - start === 1) {
      assignChar(sf.current, '.', start, '.');
      return pos;
    }
  }
  let haveE = false;
  let haveExp = false;
  if (pos < slen && (s[pos] === 'E' || s[pos] === 'e')) {
    haveE = true;
    pos++;
    if (pos < slen && (s[pos] === '+' || s[pos] === '-')) pos++;
    while (pos < slen && isDigit(s[pos])) {
      haveExp = true;
      pos++;
    }
  }
  const suffix = s[pos];
  if (pos < slen && (suffix === 'd' || suffix === 'D' || suffix === 'f' || suffix === 'F')) {
    if (pos + 1 === slen) pos++;
    else if (isWhite(s[pos + 1]) || s[pos + 1] === ';') pos++;
    else if (s[pos + 1] === 'u' || s[pos + 1] === 'U') pos++;
  }
  assign(sf.current, haveE && !haveExp ? 'n' : '1', start, pos - start, s.slice(start, pos));
  return pos;
}

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
