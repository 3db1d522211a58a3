import {
  parseBstring,
  parseBword,
  parseEstring,
  parseMoney,
  parseNqstring,
  parseNumber,
  parseQstring,
  parseString,
  parseStringCore,
  parseTick,
  parseUstring,
  parseVar,
  parseWord,
  parseXstring,
} from './sqliLexers.js';
import {
  assign,
  assignChar,
  emptyToken,
  FLAG_QUOTE_DOUBLE,
  FLAG_QUOTE_SINGLE,
  FLAG_SQL_ANSI,
  FLAG_SQL_MYSQL,
  find2,
  findChar,
  isWhite,
  lookupWord,
  type SqliState,
} from './sqliToken.js';

/** libinjection's tokenizer loop and its operator and comment parsers (see sqliToken.ts). */
/** Character → parser, as libinjection's `char_parse_map` (see PARSERS for the codes). */
const CHAR_MAP =
  'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwOs#$oOsccOoc-1/1111111111OcOOO?@abaaeaaaaaaaaNaaqaaauaaxaa[\\?oa`abaaeaaaaaaaaNaaqaaauaaxaacOcow' +
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaawaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

const parseWhite = (sf: SqliState): number => sf.pos + 1;

function parseOperator1(sf: SqliState): number {
  assignChar(sf.current, 'o', sf.pos, sf.s[sf.pos] as string);
  return sf.pos + 1;
}

function parseOther(sf: SqliState): number {
  assignChar(sf.current, '?', sf.pos, sf.s[sf.pos] as string);
  return sf.pos + 1;
}

function parseChar(sf: SqliState): number {
  const c = sf.s[sf.pos] as string;
  assignChar(sf.current, c, sf.pos, c);
  return sf.pos + 1;
}

function parseEolComment(sf: SqliState): number {
  const end = findChar(sf.s, sf.pos, sf.slen, '\n');
  if (end < 0) {
    assign(sf.current, 'c', sf.pos, sf.slen - sf.pos, sf.s.slice(sf.pos));
    return sf.slen;
  }
  assign(sf.current, 'c', sf.pos, end - sf.pos, sf.s.slice(sf.pos, end));
  return end + 1;
}

function parseHash(sf: SqliState): number {
  sf.statsCommentHash += 1;
  if (sf.flags & FLAG_SQL_MYSQL) {
    sf.statsCommentHash += 1;
    return parseEolComment(sf);
  }
  assignChar(sf.current, 'o', sf.pos, '#');
  return sf.pos + 1;
}

function parseDash(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 2 < slen && s[pos + 1] === '-' && isWhite(s[pos + 2])) return parseEolComment(sf);
  if (pos + 2 === slen && s[pos + 1] === '-') return parseEolComment(sf);
  if (pos + 1 < slen && s[pos + 1] === '-' && sf.flags & FLAG_SQL_ANSI) {
    sf.statsCommentDdx += 1;
    return parseEolComment(sf);
  }
  assignChar(sf.current, 'o', pos, '-');
  return pos + 1;
}

function parseSlash(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 1 === slen || s[pos + 1] !== '*') return parseOperator1(sf);
  const end = find2(s, pos + 2, slen, '*', '/');
  const clen = end < 0 ? slen - pos : end + 2 - pos;
  let ctype = 'c';
  // A comment nested in a comment, or MySQL's executable `/*! … */`, is "evil".
  if (end >= 0 && find2(s, pos + 2, end + 1, '/', '*') >= 0) ctype = 'X';
  else if (pos + 2 < slen && s[pos + 2] === '!') ctype = 'X';
  assign(sf.current, ctype, pos, clen, s.slice(pos, pos + clen));
  return pos + clen;
}

function parseBackslash(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 1 < slen && s[pos + 1] === 'N') {
    assign(sf.current, '1', pos, 2, s.slice(pos, pos + 2));
    return pos + 2;
  }
  assignChar(sf.current, '\\', pos, s[pos] as string);
  return pos + 1;
}

function parseOperator2(sf: SqliState): number {
  const { s, slen, pos } = sf;
  if (pos + 1 >= slen) return parseOperator1(sf);
  if (pos + 2 < slen && s[pos] === '<' && s[pos + 1] === '=' && s[pos + 2] === '>') {
    assign(sf.current, 'o', pos, 3, s.slice(pos, pos + 3));
    return pos + 3;
  }
  const ch = lookupWord(s.slice(pos, pos + 2));
  if (ch !== '') {
    assign(sf.current, ch, pos, 2, s.slice(pos, pos + 2));
    return pos + 2;
  }
  if (s[pos] === ':') {
    assign(sf.current, ':', pos, 1, ':');
    return pos + 1;
  }
  return parseOperator1(sf);
}

const PARSERS: Readonly<Record<string, (sf: SqliState) => number>> = {
  w: parseWhite,
  O: parseOperator2,
  s: parseString,
  '#': parseHash,
  $: parseMoney,
  o: parseOperator1,
  c: parseChar,
  '-': parseDash,
  '1': parseNumber,
  '/': parseSlash,
  '?': parseOther,
  '@': parseVar,
  a: parseWord,
  b: parseBstring,
  e: parseEstring,
  N: parseNqstring,
  q: parseQstring,
  u: parseUstring,
  x: parseXstring,
  '\\': parseBackslash,
  '[': parseBword,
  '`': parseTick,
};

/** The next token into `sf.current`; false at the end of the input. */
export function tokenize(sf: SqliState): boolean {
  if (sf.slen === 0) return false;
  Object.assign(sf.current, emptyToken());
  // In a quote context, pretend the input starts inside a string.
  if (sf.pos === 0 && sf.flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE)) {
    const delim = sf.flags & FLAG_QUOTE_SINGLE ? "'" : '"';
    sf.pos = parseStringCore(sf.s, sf.slen, 0, sf.current, delim, 0);
    sf.statsTokens += 1;
    return true;
  }
  while (sf.pos < sf.slen) {
    const parser = PARSERS[CHAR_MAP[sf.s.charCodeAt(sf.pos) & 0xff] as string] as (sf: SqliState) => number;
    sf.pos = parser(sf);
    if (sf.current.type !== '') {
      sf.statsTokens += 1;
      return true;
    }
  }
  return false;
}
