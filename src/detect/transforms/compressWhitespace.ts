/**
 * Turn every run of whitespace (including tabs, newlines, vertical tab, form feed and NBSP)
 * into one space, so `union%09%0aselect` meets `union select`.
 */
export function compressWhitespace(value: string): string {
  return needsWork(value) ? value.replace(/[\s\u00a0]+/g, ' ') : value;
}

/**
 * Any whitespace other than a single plain space: what `\s` and NBSP match, minus the space,
 * or two spaces in a row. One native regex scan (a character loop in JavaScript cost more).
 */
const NEEDS_WORK = /[\t-\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}/;

function needsWork(value: string): boolean {
  return NEEDS_WORK.test(value);
}
