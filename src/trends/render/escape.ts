/** HTML text and attribute escaping: evidence lines are attacker-written. */
export function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Text safe for one Markdown table cell or line: pipes, backticks and markup characters
 * escaped, control bytes shown as `\xNN`, newlines flattened.
 */
export function mdText(text: string): string {
  return visible(text).replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function mdCode(lines: readonly string[]): string {
  const body = lines.map(visible).join('\n');
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${body}\n${fence}`;
}

/** Control and non-ASCII bytes as `\xNN`, so a log line cannot reshape the document. */
export function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are exactly what we rewrite
  return text.replace(/[\x00-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
