import { buildHttpRequest } from './httpRequest.js';
import { type HttpRequest, LIMITS } from './observation.js';

const CR = 13;

/**
 * Parse the raw bytes of one HTTP request — request line, header lines, blank line, body —
 * as seen on the wire, in a refused request's buffer, or given to `bansho rules test`.
 * Lenient: LF or CRLF line endings, missing blank line, truncated input all parse.
 * One pass over the head's lines (the monitor parses every request it judges): no array of
 * lines, and header names lower-cased and values bounded as they are read, so
 * buildHttpRequest keeps the pairs as they are rather than copying them.
 */
export function parseRawRequest(raw: Uint8Array | string, malformed: string | null = null): HttpRequest {
  const text = typeof raw === 'string' ? raw : latin1(raw);
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  // The head ends at the first blank line, CRLF or LF, whichever comes first.
  const useCrlf = crlf >= 0 && (lf < 0 || crlf < lf);
  const headEnd = useCrlf ? crlf : lf;
  const bodyFrom = headEnd < 0 ? -1 : headEnd + (useCrlf ? 4 : 2);
  const headTo = headEnd < 0 ? text.length : headEnd;
  const body = bodyFrom < 0 ? '' : text.slice(bodyFrom, bodyFrom + LIMITS.bodyPrefix);
  // Lines end at LF, a CR before it dropped (`split(/\r?\n/)`); the head's last line keeps a trailing CR.
  let cut = text.indexOf('\n');
  if (cut >= headTo) cut = -1;
  const line = cut < 0 ? text.slice(0, headTo) : text.slice(0, lineEnd(text, 0, cut));
  const headers: Array<[string, string]> = [];
  // The next colon at or after the line's start (-1: none left), searched again only once passed:
  // lines without one (bad input is normal input) cost no scan of the rest of the text each.
  let colon = -2;
  while (cut >= 0 && headers.length < LIMITS.headerCount) {
    const from = cut + 1;
    let next = text.indexOf('\n', from);
    if (next >= headTo) next = -1;
    const to = next < 0 ? headTo : lineEnd(text, from, next);
    if (colon !== -1 && colon < from) colon = text.indexOf(':', from);
    if (colon > from && colon < to) {
      const value = text.slice(colon + 1, to).trim();
      headers.push([
        text.slice(from, colon).trim().toLowerCase(),
        value.length > LIMITS.headerValue ? value.slice(0, LIMITS.headerValue) : value,
      ]);
    }
    cut = next;
  }
  return buildHttpRequest({ line, headers, bodyPrefix: body, malformed });
}

/** Where the line that ends with the LF at `lf` ends, its CR dropped (none when the line is empty). */
function lineEnd(text: string, from: number, lf: number): number {
  return lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/** Raw request bytes as the text parseRawRequest reads (one character per byte). */
export function latin1(raw: Uint8Array): string {
  return (Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)).toString('latin1');
}
