/** Hex-digit helpers shared by the decoders (all values are byte strings: one latin1 character a byte). */
export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether `count` hex digits start at `at` (inside the string). */
export function isHexRun(s: string, at: number, count: number): boolean {
  if (at + count > s.length) return false;
  for (let k = at; k < at + count; k++) if (!isHex(s.charCodeAt(k))) return false;
  return true;
}

export function hexValue(c: number): number {
  if (c <= 57) return c - 48;
  if (c <= 70) return c - 55;
  return c - 87;
}

/** The byte two hex digits at `at` stand for. */
export function hexByte(s: string, at: number): number {
  return (hexValue(s.charCodeAt(at)) << 4) | hexValue(s.charCodeAt(at + 1));
}

export function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

/**
 * The byte ModSecurity takes from a 16-bit escape (`%uFF0F`, `\uFF0F`): its low byte, and for
 * full-width ASCII (U+FF01–U+FF5E) the ASCII character it mimics.
 */
export function lowByteOfWide(s: string, at: number): number {
  let b = hexByte(s, at + 2);
  const high = s.charCodeAt(at) | 0x20;
  const next = s.charCodeAt(at + 1) | 0x20;
  if (b > 0 && b < 0x5f && high === 102 && next === 102) b += 0x20;
  return b;
}
