import { copyToken, emptyToken, lookupWord, type SqliState, TOKEN_SIZE, type Token } from './sqliToken.js';
import { tokenize } from './sqliTokenizer.js';

/**
 * libinjection's folding (libinjection_sqli_fold, v3.9.2): tokens are read and merged pairwise
 * and three at a time until at most five remain; their types make the fingerprint.
 */
const MAX_TOKENS = 5;

const upper = (s: string): string => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/** libinjection's cstrcasecmp(A, val, len) === 0: the token's text, uppercased, is exactly A. */
function is(t: Token, word: string): boolean {
  return t.val.indexOf('\0') < 0 && upper(t.val.slice(0, t.len)) === word;
}

function isUnaryOp(t: Token): boolean {
  if (t.type !== 'o') return false;
  switch (t.len) {
    case 1:
      return t.val === '+' || t.val === '-' || t.val === '!' || t.val === '~';
    case 2:
      return t.val === '!!';
    case 3:
      return upper(t.val) === 'NOT';
    default:
      return false;
  }
}

function isArithmeticOp(t: Token): boolean {
  return t.type === 'o' && t.len === 1 && '*/-+%'.includes(t.val);
}

const MERGE_LEFT = new Set(['k', 'n', 'o', 'U', 'f', 'E', 'T', 't']);
const MERGE_RIGHT = new Set(['k', 'n', 'o', 'U', 'f', 'E', 'T', 't', '&']);

function mergeWords(a: Token, b: Token): boolean {
  if (!MERGE_LEFT.has(a.type) || !MERGE_RIGHT.has(b.type)) return false;
  const size = a.len + b.len + 1;
  if (size >= TOKEN_SIZE) return false;
  const merged = `${a.val} ${b.val}`;
  const ch = lookupWord(merged);
  if (ch === '') return false;
  a.type = ch;
  a.len = size;
  a.val = merged;
  return true;
}

const SPECIAL_FUNCTIONS = [
  'USER_ID',
  'USER_NAME',
  'DATABASE',
  'PASSWORD',
  'USER',
  'CURRENT_USER',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
];

export function fold(sf: SqliState): number {
  const v = sf.tokens;
  const lastComment = emptyToken();
  let pos = 0;
  let left = 0;
  let more = true;
  sf.current = v[0] as Token;
  // Skip leading comments, parens, SQL types and unary operators.
  while (more) {
    more = tokenize(sf);
    const c = sf.current;
    if (!(c.type === 'c' || c.type === '(' || c.type === 't' || isUnaryOp(c))) break;
  }
  if (!more) return 0;
  pos += 1;
  const t = (i: number): Token => v[i] as Token;
  const fetch = (limit: number): void => {
    while (more && pos <= MAX_TOKENS && pos - left < limit) {
      sf.current = t(pos);
      more = tokenize(sf);
      if (more) {
        if (sf.current.type === 'c') copyToken(lastComment, sf.current);
        else {
          lastComment.type = '';
          pos += 1;
        }
      }
    }
  };
  for (;;) {
    if (pos >= MAX_TOKENS) {
      const types = [0, 1, 2, 3, 4].map((i) => t(i).type);
      const [a, b, c, d, e] = types;
      if (
        (a === '1' && (b === 'o' || b === ',') && c === '(' && d === '1' && e === ')') ||
        (a === 'n' && b === 'o' && c === '(' && (d === 'n' || d === '1') && e === ')') ||
        (a === '1' && b === ')' && c === ',' && d === '(' && e === '1') ||
        (a === 'n' && b === ')' && c === 'o' && d === '(' && e === 'n')
      ) {
        if (pos > MAX_TOKENS) {
          copyToken(t(1), t(MAX_TOKENS));
          pos = 2;
          left = 0;
        } else {
          pos = 1;
          left = 0;
        }
      }
    }
    if (!more || left >= MAX_TOKENS) {
      left = pos;
      break;
    }
    fetch(2);
    if (pos - left < 2) {
      left = pos;
      continue;
    }
    const l = t(left);
    const r = t(left + 1);
    if (l.type === 's' && r.type === 's') {
      pos -= 1;
      continue;
    }
    if (l.type === ';' && r.type === ';') {
      pos -= 1;
      continue;
    }
    if ((l.type === 'o' || l.type === '&') && (isUnaryOp(r) || r.type === 't')) {
      pos -= 1;
      left = 0;
      continue;
    }
    if (l.type === '(' && isUnaryOp(r)) {
      pos -= 1;
      if (left > 0) left -= 1;
      continue;
    }
    if (mergeWords(l, r)) {
      pos -= 1;
      if (left > 0) left -= 1;
      continue;
    }
    if (
      l.type === ';' &&
      r.type === 'f' &&
      (r.val[0] === 'I' || r.val[0] === 'i') &&
      (r.val[1] === 'F' || r.val[1] === 'f')
    ) {
      r.type = 'T';
      continue;
    }
    if ((l.type === 'n' || l.type === 'v') && r.type === '(' && SPECIAL_FUNCTIONS.some((w) => is(l, w))) {
      l.type = 'f';
      continue;
    }
    if (l.type === 'k' && (is(l, 'IN') || is(l, 'NOT IN'))) {
      l.type = r.type === '(' ? 'o' : 'n';
      continue;
    }
    if (l.type === 'o' && (is(l, 'LIKE') || is(l, 'NOT LIKE'))) {
      if (r.type === '(') l.type = 'f';
    } else if (l.type === 't' && 'n1t(fvs'.includes(r.type) && r.type !== '') {
      copyToken(l, r);
      pos -= 1;
      left = 0;
      continue;
    } else if (l.type === 'A' && r.type === 'n') {
      if (r.val.includes('_')) {
        r.type = 't';
        left = 0;
      }
    } else if (l.type === '\\') {
      if (isArithmeticOp(r)) l.type = '1';
      else {
        copyToken(l, r);
        pos -= 1;
      }
      left = 0;
      continue;
    } else if (l.type === '(' && r.type === '(') {
      pos -= 1;
      left = 0;
      continue;
    } else if (l.type === ')' && r.type === ')') {
      pos -= 1;
      left = 0;
      continue;
    } else if (l.type === '{' && r.type === 'n') {
      if (r.len === 0) {
        r.type = 'X';
        return left + 2;
      }
      left = 0;
      pos -= 2;
      continue;
    } else if (r.type === '}') {
      pos -= 1;
      left = 0;
      continue;
    }
    fetch(3);
    if (pos - left < 3) {
      left = pos;
      continue;
    }
    if (
      foldThree(
        sf,
        left,
        () => pos,
        (p) => (pos = p),
      )
    ) {
      left = 0;
      continue;
    }
    left += 1;
  }
  if (left < MAX_TOKENS && lastComment.type === 'c') {
    copyToken(t(left), lastComment);
    left += 1;
  }
  return Math.min(left, MAX_TOKENS);
}

/** The three-token folds; true when one applied (the caller restarts from the left). */
function foldThree(sf: SqliState, left: number, getPos: () => number, setPos: (p: number) => void): boolean {
  const a = sf.tokens[left] as Token;
  const b = sf.tokens[left + 1] as Token;
  const c = sf.tokens[left + 2] as Token;
  const pos = getPos();
  const drop = (n: number): true => {
    setPos(pos - n);
    return true;
  };
  const valueish = (x: Token) => x.type === '1' || x.type === 'n' || x.type === 's' || x.type === 'v';
  if (a.type === '1' && b.type === 'o' && c.type === '1') return drop(2);
  if (a.type === 'o' && b.type !== '(' && c.type === 'o') return drop(2);
  if (a.type === '&' && c.type === '&') return drop(2);
  if (a.type === 'v' && b.type === 'o' && (c.type === 'v' || c.type === '1' || c.type === 'n')) return drop(2);
  if ((a.type === 'n' || a.type === '1') && b.type === 'o' && (c.type === '1' || c.type === 'n')) return drop(2);
  if (valueish(a) && b.type === 'o' && b.val === '::' && c.type === 't') return drop(2);
  if (valueish(a) && b.type === ',' && valueish(c)) return drop(2);
  if ((a.type === 'E' || a.type === 'B' || a.type === ',') && isUnaryOp(b) && c.type === '(') {
    copyToken(b, c);
    return drop(1);
  }
  if ((a.type === 'k' || a.type === 'E' || a.type === 'B') && isUnaryOp(b) && (valueish(c) || c.type === 'f')) {
    copyToken(b, c);
    return drop(1);
  }
  if (a.type === ',' && isUnaryOp(b) && valueish(c)) {
    copyToken(b, c);
    return drop(3);
  }
  if (a.type === ',' && isUnaryOp(b) && c.type === 'f') {
    copyToken(b, c);
    return drop(1);
  }
  if (a.type === 'n' && b.type === '.' && c.type === 'n') return drop(2);
  if (a.type === 'E' && b.type === '.' && c.type === 'n') {
    copyToken(b, c);
    return drop(1);
  }
  if (a.type === 'f' && b.type === '(' && c.type !== ')') {
    // USER() is a function, USER alone (`user`) a plain word.
    if (is(a, 'USER')) a.type = 'n';
  }
  return false;
}
