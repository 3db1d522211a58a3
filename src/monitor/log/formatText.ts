/**
 * tshark's format_text(), which most dissectors pass bytes through before they reach a
 * column: printable ASCII as is, every other byte escaped as C would write it.
 */

/** tshark's format_text(): printable ASCII as is, the rest escaped. */
export function formatText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += escapeByte(c);
  }
  return s;
}

/** formatText of latin1 text: the text itself when every character is printable ASCII (the usual case). */
export function formatLatin1(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) {
      const bytes = Buffer.from(text, 'latin1');
      return formatText(bytes, 0, bytes.length);
    }
  }
  return text;
}

/** format_text's escape for a byte it does not print: C's named escapes, else `\\xNN`. */
export function escapeByte(c: number): string {
  switch (c) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
    default:
      return `\\x${c.toString(16).padStart(2, '0')}`;
  }
}
