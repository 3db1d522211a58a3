import { buildHttpRequest } from './httpRequest.js';
import { type HttpRequest, LIMITS } from './observation.js';

/**
 * Parse the raw bytes of one HTTP request — request line, header lines, blank line, body —
 * as seen on the wire, in a refused request's buffer, or given to `bansho rules test`.
 * Lenient: LF or CRLF line endings, missing blank line, truncated input all parse.
 */
export function parseRawRequest(raw: Uint8Array | string, malformed: string | null = null): HttpRequest {
  const text =
    typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const headEnd = findHeadEnd(text);
  const head = headEnd.index >= 0 ? text.slice(0, headEnd.index) : text;
  const body =
    headEnd.index >= 0
      ? text.slice(headEnd.index + headEnd.length, headEnd.index + headEnd.length + LIMITS.bodyPrefix)
      : '';
  const lines = head.split(/\r?\n/);
  const line = lines[0] ?? '';
  const headers: Array<[string, string]> = [];
  for (let i = 1; i < lines.length && headers.length < LIMITS.headerCount; i++) {
    const h = lines[i] as string;
    const colon = h.indexOf(':');
    if (colon <= 0) continue;
    headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
  }
  return buildHttpRequest({ line, headers, bodyPrefix: body, malformed });
}

function findHeadEnd(text: string): { index: number; length: number } {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return { index: -1, length: 0 };
}
