import { escapeByte } from './formatText.js';

/**
 * Text as tshark 4.0 puts it into the Info column, for dissectors that copy bytes there rather
 * than format them first (SMTP's command and reply lines), for those that format them as
 * UTF-8 (the IMF header values and message lines), and the column's own length limit.
 */

const REPLACEMENT = '\uFFFD';

/** COL_MAX_INFO_LEN less its terminating NUL: tshark cuts longer Info text, at a character's boundary. */
const MAX_INFO_BYTES = 4095;

/** Escapes tshark's column text uses for control characters: C's named ones, else three octal digits. */
function columnEscape(c: number): string {
  return c >= 0x07 && c <= 0x0d ? escapeByte(c) : `\\${c.toString(8).padStart(3, '0')}`;
}

/**
 * Bytes read as ENC_ASCII and appended to a column: every byte above 0x7F becomes U+FFFD and
 * control characters are escaped.
 */
export function asciiColumnText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else if (c >= 0x80) s += REPLACEMENT;
    else s += columnEscape(c);
  }
  return s;
}

const utf8 = new TextDecoder('utf-8');

/**
 * tshark's format_text (`whitespace` false) and format_text_wsp (true) on UTF-8 bytes: valid
 * characters as they are, invalid bytes as U+FFFD, control characters escaped as the column
 * escapes them — or, for format_text_wsp, white space (tab, line ends, vertical tab, form
 * feed) as a blank.
 */
export function formatUtf8(b: Uint8Array, start: number, end: number, whitespace: boolean): string {
  if (end <= start) return '';
  const text = utf8.decode(b.subarray(start, end));
  let s = '';
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) continue;
    s += text.slice(plainFrom, i);
    plainFrom = i + 1;
    if (whitespace && c >= 0x09 && c <= 0x0d) s += ' ';
    else s += columnEscape(c);
  }
  return s + text.slice(plainFrom);
}

/** `info` as the column keeps it: at most 4095 bytes of UTF-8, never half a character. */
export function fitInfo(info: string): string {
  if (info.length <= MAX_INFO_BYTES / 3) return info;
  const bytes = Buffer.from(info, 'utf8');
  if (bytes.length <= MAX_INFO_BYTES) return info;
  let cut = MAX_INFO_BYTES;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut);
}
