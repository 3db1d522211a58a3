/**
 * The validation operators: they match when the value is *not* well-formed, so a rule flags
 * what fails the check.
 */

/** `@validateByteRange 9,10,13,32-126`: the allowed bytes as a 256-entry table. */
export function parseByteRanges(spec: string): Uint8Array | string {
  const allowed = new Uint8Array(256);
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (m === null) return `bad byte range ${JSON.stringify(item)}`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 255 || to > 255 || from > to) return `bad byte range ${JSON.stringify(item)}`;
    allowed.fill(1, from, to + 1);
  }
  return allowed;
}

export function hasByteOutside(value: string, allowed: Uint8Array): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 255 || allowed[c] === 0) return true;
  }
  return false;
}

/** `@validateUrlEncoding`: a `%` not followed by two hex digits. */
export function hasInvalidUrlEncoding(value: string): boolean {
  let at = value.indexOf('%');
  while (at >= 0) {
    if (at + 2 >= value.length) return true;
    if (!/[0-9a-fA-F]{2}/.test(value.slice(at + 1, at + 3))) return true;
    at = value.indexOf('%', at + 3);
  }
  return false;
}

/**
 * `@validateUtf8Encoding`: a byte sequence that is not UTF-8 — a truncated or malformed
 * sequence, an overlong form, a surrogate or a code point above U+10FFFF.
 */
export function hasInvalidUtf8(value: string): boolean {
  const n = value.length;
  let i = 0;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 0;
    if (len === 0 || i + len > n) return true;
    let code = len === 2 ? c & 0x1f : len === 3 ? c & 0x0f : c & 0x07;
    for (let k = 1; k < len; k++) {
      const b = value.charCodeAt(i + k);
      if ((b & 0xc0) !== 0x80) return true;
      code = (code << 6) | (b & 0x3f);
    }
    const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return true;
    i += len;
  }
  return false;
}
