/** SMTP's lines as tshark's dissector tells them apart (packet-smtp.c): commands, numbers, reply codes. */

/** Four letters, or one of the longer commands tshark knows (line_is_smtp_command). */
const LONG_COMMANDS = ['STARTTLS', 'X-EXPS', 'X-LINK2STATE', 'XEXCH50'];

/** Is the word from `at` to `verbEnd` a command? */
export function isCommand(b: Uint8Array, at: number, verbEnd: number): boolean {
  const length = verbEnd - at;
  if (length === 4) {
    let letters = true;
    for (let i = at; i < verbEnd; i++) letters &&= isLetter(b[i] as number);
    if (letters) return true;
  }
  return LONG_COMMANDS.some((c) => c.length === length && startsWithCaseless(b, at, verbEnd, c));
}

function isLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** g_ascii_strncasecmp(line, word, word.length) === 0 for a line from `at` to `end`. */
export function startsWithCaseless(b: Uint8Array, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = b[at + i] as number;
    const folded = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (folded !== (word.charCodeAt(i) | 0x20)) return false;
  }
  return true;
}

/** strtoul's reading of a decimal number at `at`: 0 when none. */
export function leadingNumber(b: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  let n = 0;
  for (; i < end && (b[i] as number) >= 0x30 && (b[i] as number) <= 0x39; i++) n = n * 10 + (b[i] as number) - 0x30;
  return n;
}

/** The three-digit reply code at `at`, or -1. */
export function replyCode(b: Uint8Array, at: number): number {
  let code = 0;
  for (let i = at; i < at + 3; i++) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x39) return -1;
    code = code * 10 + c - 0x30;
  }
  return code;
}
