/**
 * Lines and text in a segment's bytes, as tshark's line-based dissectors (SMTP, FTP, POP3,
 * IMAP, IRC, IMF) find them.
 */

/** A line: where its text ends, and where the next line starts (past its line end). */
export interface Line {
  readonly end: number;
  readonly next: number;
}

/**
 * tvb_find_line_end: the line at `at` ends before LF, CRLF or a lone CR. Null when the data has
 * no line end — or, while `waiting` (tshark desegmenting), ends in a CR whose LF may come next.
 */
export function lineAt(b: Uint8Array, at: number, waiting: boolean): Line | null {
  for (let i = at; i < b.length; i++) {
    const c = b[i];
    if (c === 0x0a) return { end: i, next: i + 1 };
    if (c === 0x0d) {
      if (i + 1 < b.length) return { end: i, next: b[i + 1] === 0x0a ? i + 2 : i + 1 };
      return waiting ? null : { end: i, next: i + 1 };
    }
  }
  return null;
}

/** The line at `at`, or, without a line end, the rest of the data (tshark not desegmenting). */
export function lineOrRest(b: Uint8Array, at: number): Line {
  return lineAt(b, at, false) ?? { end: b.length, next: b.length };
}

/** The bytes from `at` are `text` (its characters as bytes, case and all). */
export function startsWithText(b: Uint8Array, at: number, text: string): boolean {
  if (b.length - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Bytes `start` to `end` as latin1 text (empty when `end` is not past `start`). */
export function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, Math.max(0, end - start)).toString('latin1');
}
