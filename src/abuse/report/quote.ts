/**
 * An evidence line quoted exactly and safely: printable ASCII as it is, a backslash doubled,
 * every other byte as `\xNN` (lines are kept as latin1 text, one character per byte received),
 * so the quote can be turned back into the bytes and cannot reshape a mail or a terminal.
 * Lines longer than `maxChars` are cut, and the cut is said.
 */
export function quoteExactly(line: string, maxChars: number): string {
  const cut = line.length > maxChars;
  const kept = cut ? line.slice(0, maxChars) : line;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are exactly what is escaped
  const quoted = kept.replace(/[\\\x00-\x1f\x7f-\u{10ffff}]/gu, (c) =>
    c === '\\' ? '\\\\' : [...Buffer.from(c, c.charCodeAt(0) <= 0xff ? 'latin1' : 'utf8')].map(hexByte).join(''),
  );
  return cut ? `${quoted} [… ${line.length - maxChars} more characters cut]` : quoted;
}

function hexByte(b: number): string {
  return `\\x${b.toString(16).padStart(2, '0')}`;
}
