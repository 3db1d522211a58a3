/** The string and number comparisons, with ModSecurity v2's semantics. */
import type { NumberOperatorName } from './index.js';

/** C's atoi: leading blanks, a sign, digits; anything else reads as 0. */
export function atoi(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || (text.charCodeAt(i) >= 9 && text.charCodeAt(i) <= 13))) i++;
  let sign = 1;
  if (text[i] === '+' || text[i] === '-') sign = text[i++] === '-' ? -1 : 1;
  let n = 0;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return sign * n;
}

/** `@containsWord`: the word occurs with no word character (A–Z, a–z, 0–9, _) on either side. */
export function containsWord(haystack: string, word: string): boolean {
  if (word === '') return true;
  let at = haystack.indexOf(word);
  while (at >= 0) {
    const before = at === 0 ? '' : (haystack[at - 1] as string);
    const after = haystack[at + word.length] ?? '';
    if (!isWordChar(before) && !isWordChar(after)) return true;
    at = haystack.indexOf(word, at + 1);
  }
  return false;
}

function isWordChar(c: string): boolean {
  return c !== '' && /\w/.test(c);
}

/** `@eq`, `@ge`, `@gt`, `@le`, `@lt` on two numbers already read with atoi. */
export function compareNumbers(op: NumberOperatorName, a: number, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ge':
      return a >= b;
    case 'gt':
      return a > b;
    case 'le':
      return a <= b;
    case 'lt':
      return a < b;
  }
}
