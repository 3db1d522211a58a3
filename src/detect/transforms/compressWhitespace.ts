/**
 * Turn every run of whitespace (including tabs, newlines, vertical tab, form feed and NBSP)
 * into one space, so `union%09%0aselect` meets `union select`.
 */
export function compressWhitespace(value: string): string {
  return value.replace(/[\s\u00a0]+/g, ' ');
}
