import { boundaryOf } from '../../protocols/http/headFacts.js';
import { latin1, lineOrRest } from '../../protocols/textLines.js';
import { formatUtf8 } from '../columnText.js';
import { isRegisteredMediaType, mediaColumns } from './media.js';
import { multipartColumns } from './multipart.js';

/**
 * What tshark 4.0's IMF dissector (packet-imf.c) shows of a mail message that SMTP reassembled:
 * `from:` and `subject:` values from the header, then either what the media dissector for the
 * message's Content-Type adds, or — without a usable Content-Type — every line of the body.
 * The header is read as tshark reads it, colon by colon, so a message that does not start with
 * header fields comes out as tshark shows it too.
 */
export interface ImfColumns {
  /** `IMF`, or `IMF/JSON`, `IMF/XML`, `IMF/IMF` when a media dissector names itself. */
  readonly protocol: string;
  readonly info: string;
}

/** Fields whose value tshark adds to Info (the only two with add_to_col_info). */
const SHOWN_FIELDS = new Set(['from', 'subject']);

/** message/rfc822 inside message/rfc822: nesting followed at most. */
const MAX_DEPTH = 4;

const CR = 0x0d;
const LF = 0x0a;

export function imfColumns(b: Uint8Array, depth = 0): ImfColumns {
  let info = '';
  let start = 0;
  let end = 0;
  let lastField = false;
  let contentType: { type: string; parameters: string } | null = null;
  let base64 = false;
  while (!lastField) {
    const colon = b.indexOf(0x3a, start);
    if (colon < 0) {
      end = -1;
      break;
    }
    const key = Buffer.from(b.buffer, b.byteOffset + start, colon - start)
      .toString('latin1')
      .toLowerCase();
    start = colon + 1;
    const field = fieldEnd(b, start);
    if (field === null) {
      end = -1;
      break;
    }
    end = field.end;
    lastField = field.last;
    let value = start;
    while (value < end && isSpace(b[value] as number)) value++;
    if (value === end) value = start;
    // tshark leaves the field's CRLF out of the value; a value cut short shows nothing.
    const valueEnd = end - 2;
    if (SHOWN_FIELDS.has(key)) info += `${key}: ${formatUtf8(b, value, valueEnd, false)}, `;
    if (key === 'content-type') contentType = typeAndParameters(b, start, end) ?? contentType;
    else if (key === 'content-transfer-encoding')
      base64 = latin1(b, value, Math.max(value, valueEnd)).toLowerCase().startsWith('base64');
    start = end;
  }
  if (lastField) end += 2;
  if (end < 0) end = 0;
  const body = b.subarray(Math.min(end, b.length));
  if (contentType === null) return { protocol: 'IMF', info: appendLines(info, body) };
  const content = base64 ? Buffer.from(latin1(body, 0, body.length), 'base64') : body;
  return media(info, contentType, content, depth);
}

/** The media dissector's share of the columns, as tshark's media_type table hands the body on. */
function media(info: string, ct: { type: string; parameters: string }, body: Uint8Array, depth: number): ImfColumns {
  const lower = ct.type.toLowerCase();
  if (lower.startsWith('multipart/')) {
    const parts = multipartColumns(body, boundaryOf(`;${ct.parameters}`) ?? '');
    return { protocol: `IMF${parts.protocol}`, info: appendSeparated(info, parts.suffix) };
  }
  if (lower === 'message/rfc822' && depth < MAX_DEPTH) {
    const inner = imfColumns(body, depth + 1);
    return { protocol: `IMF/${inner.protocol}`, info: info + inner.info };
  }
  // Only types the table holds are dissected; tshark's catch-all `media` is HTTP's, not IMF's.
  if (!isRegisteredMediaType(lower)) return { protocol: 'IMF', info };
  const m = mediaColumns(lower, { prefix: body, length: body.length });
  // The text-lines and JSON dissectors name the type as the message wrote it.
  const suffix = m.suffix.endsWith(` (${lower})`) ? `${m.suffix.slice(0, -lower.length - 1)}${ct.type})` : m.suffix;
  const named = suffix.startsWith(', ')
    ? info === ''
      ? suffix.slice(2)
      : info + suffix
    : appendSeparated(info, suffix);
  return { protocol: `IMF${m.protocol.slice('HTTP'.length)}`, info: named };
}

/** A suffix that starts with a blank, appended as col_append_sep_str(" ") would: no blank at the start of Info. */
function appendSeparated(info: string, suffix: string): string {
  return info === '' && suffix.startsWith(' ') ? suffix.slice(1) : info + suffix;
}

/** The body's lines, each as format_text_wsp gives it, after ", " (none before the first text in Info). */
function appendLines(info: string, body: Uint8Array): string {
  let out = info;
  let at = 0;
  while (at < body.length) {
    const { next } = lineOrRest(body, at);
    const line = formatUtf8(body, at, next, true);
    out = out === '' ? line : `${out}, ${line}`;
    at = next;
  }
  return out;
}

/**
 * imf_find_field_end: the offset after the CRLF that ends the field starting at `from` (a CRLF
 * followed by a blank or tab continues it); `last` when a blank line, or the data's end, follows.
 * Null when no CR is left.
 */
function fieldEnd(b: Uint8Array, from: number): { end: number; last: boolean } | null {
  let at = from;
  while (at < b.length) {
    const cr = b.indexOf(CR, at);
    if (cr < 0) return null;
    at = cr + 1;
    if (at >= b.length || b[at] !== LF) continue;
    at++;
    if (at >= b.length) return { end: at - 2, last: true };
    const next = b[at];
    if (next === CR) return { end: at, last: at + 1 < b.length && b[at + 1] === LF };
    if (next !== 0x20 && next !== 0x09) return { end: at, last: false };
  }
  return null;
}

/** dissect_imf_content_type: the type (before the first `;`) and its parameters; null without a `;`. */
function typeAndParameters(b: Uint8Array, start: number, end: number): { type: string; parameters: string } | null {
  let from = start;
  while (from < end && isSpace(b[from] as number)) from++;
  const semicolon = b.subarray(from, end).indexOf(0x3b);
  if (semicolon < 0) return null;
  const field = fieldEnd(b, from + semicolon + 1);
  const parametersEnd = field === null ? end : Math.min(field.end, end) - 2;
  return {
    type: latin1(b, from, from + semicolon),
    parameters: latin1(b, from + semicolon + 1, Math.max(from + semicolon + 1, parametersEnd)),
  };
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
