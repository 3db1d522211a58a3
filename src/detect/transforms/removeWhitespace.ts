/**
 * Drop all whitespace (including NBSP), so `java\tscript:` and `j a v a s c r i p t :` meet
 * the literal `javascript:` — browsers ignore such whitespace in URL schemes.
 */
export function removeWhitespace(value: string): string {
  return /[\s\u00a0]/.test(value) ? value.replace(/[\s\u00a0]+/g, '') : value;
}
