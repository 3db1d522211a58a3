/**
 * Undo the Unicode disguises of ASCII punctuation that old IIS and some Java/.NET stacks
 * honoured, so `%c0%ae%c0%ae%c0%af` and `%uff0e%uff0e%u2215` meet the same `../` as plain
 * dots and slashes:
 * - overlong UTF-8 (as latin1 bytes after URL-decoding): 2-byte C0/C1 leads, 3-byte E0 80–9F,
 *   4-byte F0 80–8F sequences whose value is ASCII, including the IIS-tolerated forms with a
 *   malformed continuation byte (`%c0%2e`);
 * - fullwidth forms U+FF01–FF5E → ASCII 0x21–0x7E;
 * - the slash look-alikes U+2215, U+2044 → `/` and U+2216, U+FE68 → `\`.
 * Run it after urlDecode.
 */
export function unicodeFold(value: string): string {
  if (!needsFolding(value)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value.charCodeAt(i);
    const overlong = c >= 0xc0 ? decodeOverlong(value, i) : null;
    if (overlong !== null) {
      out += overlong.char;
      i += overlong.length;
      continue;
    }
    out += foldChar(c, value[i] as string);
    i++;
  }
  return out;
}

const CANDIDATE = /[\u00c0\u00c1\u00e0\u00f0\u2000-\uffff]/;

function needsFolding(value: string): boolean {
  return CANDIDATE.test(value);
}

function foldChar(code: number, char: string): string {
  if (code >= 0xff01 && code <= 0xff5e) return String.fromCharCode(code - 0xff01 + 0x21);
  if (code === 0x2215 || code === 0x2044) return '/';
  if (code === 0x2216 || code === 0xfe68) return '\\';
  return char;
}

/** An overlong encoding of an ASCII character starting at `i`, or null. */
function decodeOverlong(value: string, i: number): { char: string; length: number } | null {
  const lead = value.charCodeAt(i);
  const tail = (n: number): number[] | null => {
    if (i + n >= value.length) return null;
    const bytes: number[] = [];
    for (let k = 1; k <= n; k++) {
      const b = value.charCodeAt(i + k);
      if (Number.isNaN(b) || b > 0xff) return null;
      bytes.push(b);
    }
    return bytes;
  };
  let code: number | null = null;
  let length = 0;
  if (lead === 0xc0 || lead === 0xc1) {
    const t = tail(1);
    if (t === null) return null;
    code = ((lead & 0x01) << 6) | ((t[0] as number) & 0x3f);
    length = 2;
  } else if (lead === 0xe0) {
    const t = tail(2);
    if (t === null || (t[0] as number) > 0x9f || (t[0] as number) < 0x80) return null;
    code = (((t[0] as number) & 0x3f) << 6) | ((t[1] as number) & 0x3f);
    length = 3;
  } else if (lead === 0xf0) {
    const t = tail(3);
    if (t === null || (t[0] as number) > 0x8f || (t[0] as number) < 0x80) return null;
    code = (((t[1] as number) & 0x3f) << 6) | ((t[2] as number) & 0x3f);
    length = 4;
  }
  return code !== null && code < 0x80 ? { char: String.fromCharCode(code), length } : null;
}
