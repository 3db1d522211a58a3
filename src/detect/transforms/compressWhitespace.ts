/**
 * Turn every run of whitespace (including tabs, newlines, vertical tab, form feed and NBSP)
 * into one space, so `union%09%0aselect` meets `union select`.
 */
export function compressWhitespace(value: string): string {
  return needsWork(value) ? value.replace(/[\s\u00a0]+/g, ' ') : value;
}

/** Any whitespace other than a single plain space (a plain loop: cheaper than a regex here). */
function needsWork(value: string): boolean {
  let previousSpace = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32) {
      if (previousSpace) return true;
      previousSpace = true;
      continue;
    }
    previousSpace = false;
    if (
      (c >= 9 && c <= 13) ||
      c === 0xa0 ||
      (c >= 0x1680 &&
        (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff))
    )
      return true;
  }
  return false;
}
