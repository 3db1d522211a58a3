import { keywordType } from './sqliKeywords.js';

/**
 * libinjection's SQL tokenizer (libinjection_sqli.c v3.9.2), ported line by line: the
 * input is a byte string (one latin1 character a byte), token types are libinjection's
 * one-character codes ('' for none). Where C's signed `char` or its NUL-terminated strings
 * change a result, the port says so.
 */
export const FLAG_QUOTE_NONE = 1;
export const FLAG_QUOTE_SINGLE = 2;
export const FLAG_QUOTE_DOUBLE = 4;
export const FLAG_SQL_ANSI = 8;
export const FLAG_SQL_MYSQL = 16;

/** A token's text is kept to 31 bytes, as libinjection's `val[32]`. */
export const TOKEN_SIZE = 32;

export interface Token {
  pos: number;
  len: number;
  count: number;
  type: string;
  strOpen: string;
  strClose: string;
  val: string;
}

export function emptyToken(): Token {
  return { pos: 0, len: 0, count: 0, type: '', strOpen: '', strClose: '', val: '' };
}

export function copyToken(dest: Token, src: Token): void {
  Object.assign(dest, src);
}

export interface SqliState {
  readonly s: string;
  readonly slen: number;
  flags: number;
  pos: number;
  readonly tokens: Token[];
  current: Token;
  fingerprint: string;
  statsCommentDdx: number;
  statsCommentHash: number;
  statsTokens: number;
}

export const WORD_STOP = ' []{}<>:\\?=@!#~+-*/&|^%(),\';\t\n\v\f\r"\xa0\0';
export const VAR_STOP = " <>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r'`\"\0";

export function isWhite(c: string | undefined): boolean {
  return c !== undefined && ' \t\n\v\f\r\xa0\0'.includes(c);
}

export function assign(t: Token, type: string, pos: number, len: number, value: string): void {
  const last = len < TOKEN_SIZE ? len : TOKEN_SIZE - 1;
  t.type = type;
  t.pos = pos;
  t.len = last;
  t.val = value.slice(0, last);
}

export function assignChar(t: Token, type: string, pos: number, value: string): void {
  t.type = type;
  t.pos = pos;
  t.len = 1;
  t.val = value;
}

/** C's strspn over a length: NUL always counts as accepted (strchr finds the terminator). */
export function spanOf(s: string, from: number, to: number, accept: string): number {
  let i = from;
  while (i < to && (s[i] === '\0' || accept.includes(s[i] as string))) i++;
  return i - from;
}

export function spanUntil(s: string, from: number, to: number, stop: string): number {
  let i = from;
  while (i < to && !stop.includes(s[i] as string)) i++;
  return i - from;
}

/** memchr2: where the two characters `c0 c1` first occur in s[from, to). */
export function find2(s: string, from: number, to: number, c0: string, c1: string): number {
  for (let i = from; i + 1 < to; i++) if (s[i] === c0 && s[i + 1] === c1) return i;
  return -1;
}

export function findChar(s: string, from: number, to: number, c: string): number {
  const at = s.indexOf(c, from);
  return at >= 0 && at < to ? at : -1;
}

export function lookupWord(word: string): string {
  return keywordType(word);
}
