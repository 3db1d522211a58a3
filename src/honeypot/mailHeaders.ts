import { TextDecoder } from 'node:util';
import { decodeBytes, windows1252 } from './abuserText.js';

/** What the honeypot records of a message's header block (RFC 5322), decoded for people. */
export interface MailHeaders {
  readonly subject: string | null;
  readonly messageId: string | null;
  readonly from: string | null;
  readonly xMailer: string | null;
}

/** Header lines read at most; a spam's header block is a few dozen. */
const MAX_HEADER_LINES = 500;
/** Longest header value kept (after unfolding). */
const MAX_VALUE = 2000;

/**
 * The header fields the honeypot records, from a message's raw bytes (latin1). Folded lines are
 * unfolded, RFC 2047 encoded words decoded; only the header block is read, and only so much of it.
 */
export function readMailHeaders(data: string): MailHeaders {
  const fields = new Map<string, string>();
  let name: string | null = null;
  let count = 0;
  for (const raw of headerLines(data)) {
    if (++count > MAX_HEADER_LINES) break;
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && name !== null) {
      const value = `${fields.get(name) ?? ''} ${raw.trim()}`;
      fields.set(name, value.slice(0, MAX_VALUE));
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) {
      name = null;
      continue;
    }
    name = raw.slice(0, colon).trim().toLowerCase();
    // The first occurrence wins, as most readers show it.
    if (fields.has(name)) name = null;
    else
      fields.set(
        name,
        raw
          .slice(colon + 1)
          .trim()
          .slice(0, MAX_VALUE),
      );
  }
  const get = (n: string): string | null => {
    const v = fields.get(n);
    return v === undefined ? null : v;
  };
  const messageId = get('message-id');
  return {
    subject: mapNull(get('subject'), decodeHeaderValue),
    messageId: mapNull(messageId, (v) => decodeBytes(v.replace(/^\s*<|>\s*$/g, ''), 998)),
    from: mapNull(get('from'), decodeHeaderValue),
    xMailer: mapNull(get('x-mailer'), decodeHeaderValue),
  };
}

function* headerLines(data: string): Generator<string> {
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf('\n', start);
    if (end < 0) end = data.length;
    const line = data.slice(start, end).replace(/\r$/, '');
    if (line === '') return;
    yield line;
    start = end + 1;
  }
}

function mapNull(value: string | null, f: (v: string) => string): string | null {
  return value === null ? null : f(value);
}

const ENCODED_WORD = /=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * A header value as text: RFC 2047 encoded words (`=?iso-8859-1?Q?G=FCnstig?=`) decoded in their
 * charset, whitespace between adjacent encoded words dropped (RFC 2047 §6.2), raw 8-bit bytes
 * read as UTF-8 when valid, else latin1. A word in an unknown charset is left as written.
 */
export function decodeHeaderValue(value: string): string {
  let out = '';
  let last = 0;
  let previousWasWord = false;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const word = decodeWord(m[1] as string, m[2] as string, m[3] as string);
    if (!(previousWasWord && word !== null && /^\s*$/.test(between))) out += decodeBytes(between, MAX_VALUE);
    out += word ?? m[0];
    previousWasWord = word !== null;
    last = m.index + m[0].length;
  }
  out += decodeBytes(value.slice(last), MAX_VALUE);
  return out.slice(0, MAX_VALUE);
}

/**
 * Labels mail readers (and the WHATWG Encoding standard) read as windows-1252: spam that said
 * iso-8859-1 wrote its dashes and quotes in 0x80–0x9f.
 */
const LATIN1_LABELS: ReadonlySet<string> = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii']);

function decodeWord(charset: string, encoding: string, text: string): string | null {
  // RFC 2231 allows a language after `*`: `=?iso-8859-1*de?Q?…?=`.
  const label = (charset.split('*')[0] as string).toLowerCase();
  let decoder: TextDecoder | null = null;
  if (!LATIN1_LABELS.has(label))
    try {
      decoder = new TextDecoder(label);
    } catch {
      return null;
    }
  const bytes =
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        );
  return decoder === null ? windows1252(bytes.toString('latin1')) : decoder.decode(bytes);
}
