/** The string and number comparisons, with ModSecurity v2's semantics. */

/** C's atoi: leading blanks, a sign, digits; anything else reads as 0. */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  if (m === null) return 0;
  const n = Number.parseInt(m[1] as string, 10);
  return Number.isFinite(n) ? n : 0;
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
