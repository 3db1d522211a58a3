import { boundaryOf, mediaType } from '../../protocols/http/headFacts.js';
import { mediaColumns } from './media.js';

/**
 * What tshark's multipart dissector adds for a `multipart/*` body: each part with a
 * Content-Type goes to that type's media dissector, whose Info text is appended in turn and
 * whose protocol name joins the column (`HTTP/JSON/XML` for a JSON part then an XML one). A
 * nested multipart part is read the same way; a part without a type adds nothing.
 */
export interface MultipartColumns {
  /** Appended to `HTTP` in the Protocol column: `/JSON`, `/XML/JSON`, or ''. */
  readonly protocol: string;
  readonly suffix: string;
}

/** Nesting followed at most: more than any real body has, and a bound for hostile ones. */
const MAX_DEPTH = 8;

/** `body` is the body's start (the whole body when short); parts past its end are not seen. */
export function multipartColumns(body: Uint8Array, boundary: string, depth = 0): MultipartColumns {
  let protocol = '';
  let suffix = '';
  if (depth >= MAX_DEPTH || boundary === '') return { protocol, suffix };
  const text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1');
  const delimiter = `--${boundary}`;
  let at = text.indexOf(delimiter);
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length;
    // `--boundary--` closes the body.
    if (text.startsWith('--', afterDelimiter)) break;
    const headStart = text.indexOf('\n', afterDelimiter);
    if (headStart < 0) break;
    const head = partHead(text, headStart + 1);
    if (head === null) break;
    const next = text.indexOf(`\n${delimiter}`, head.bodyStart);
    // The part's body ends before the CRLF that precedes the next delimiter.
    const bodyEnd = next < 0 ? text.length : next > 0 && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    const value = headerValue(text.slice(headStart + 1, head.headEnd), 'content-type');
    if (value !== null) {
      const part = body.subarray(head.bodyStart, Math.max(head.bodyStart, bodyEnd));
      const type = mediaType(value);
      if (type.startsWith('multipart/')) {
        const inner = multipartColumns(part, boundaryOf(value) ?? '', depth + 1);
        protocol += inner.protocol;
        suffix += inner.suffix;
      } else {
        const media = mediaColumns(type, { prefix: part, length: part.length });
        protocol += media.protocol.slice('HTTP'.length);
        suffix += media.suffix;
      }
    }
    if (next < 0) break;
    at = next + 1;
  }
  return { protocol, suffix };
}

/** Where a part's head ends (at its empty line) and its body starts; null without an empty line. */
function partHead(text: string, from: number): { headEnd: number; bodyStart: number } | null {
  for (let lineStart = from; ; ) {
    const lf = text.indexOf('\n', lineStart);
    if (lf < 0) return null;
    if (lf === lineStart || (lf === lineStart + 1 && text.charCodeAt(lineStart) === 13))
      return { headEnd: lineStart, bodyStart: lf + 1 };
    lineStart = lf + 1;
  }
}

function headerValue(head: string, name: string): string | null {
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return null;
}
