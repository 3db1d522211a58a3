/** What an HTTP/1.x message head says about its framing and content, read leniently. */
export interface HeadFacts {
  readonly firstLine: string;
  readonly contentLength: number | null;
  readonly chunked: boolean;
  /** The Upgrade header's value, trimmed and lower-cased (`websocket`), or null without one. */
  readonly upgrade: string | null;
  /** The media type without parameters, lower-cased. */
  readonly contentType: string | null;
  /** A multipart type's `boundary` parameter, as sent (unquoted). */
  readonly boundary: string | null;
  /** Content-Encoding as sent, trimmed and lower-cased (`gzip`, `br`, …). */
  readonly contentEncoding: string | null;
}

/**
 * Read a message head (latin1 text, LF or CRLF line ends), for the HTTP framer (./framer.ts).
 * Lines are walked in place (no split): only a line whose name can be one of the four headers
 * read here is cut out.
 */
export function headFacts(head: string): HeadFacts {
  let contentLength: number | null = null;
  let chunked = false;
  let upgrade: string | null = null;
  let contentType: string | null = null;
  let boundary: string | null = null;
  let contentEncoding: string | null = null;
  const firstEnd = lineEnd(head, 0);
  let start = firstEnd + 1;
  while (start <= head.length) {
    const end = lineEnd(head, start);
    const colon = head.indexOf(':', start);
    if (colon > start && colon < end && mayNameAFramingHeader(head.charCodeAt(start))) {
      const name = head.slice(start, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, end).trim();
      if (name === 'content-length' && /^\d{1,15}$/.test(value)) contentLength = Number(value);
      else if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) chunked = true;
      else if (name === 'upgrade') upgrade = value.toLowerCase();
      else if (name === 'content-type') {
        contentType = mediaType(value);
        boundary = contentType.startsWith('multipart/') ? boundaryOf(value) : null;
      } else if (name === 'content-encoding') contentEncoding = value.toLowerCase();
    }
    start = end + 1;
  }
  return {
    firstLine: firstLine(head, firstEnd),
    contentLength,
    chunked,
    upgrade,
    contentType,
    boundary,
    contentEncoding,
  };
}

/** The `boundary` parameter of a Content-Type value (quoted or not), or null. */
export function boundaryOf(value: string): string | null {
  const lower = value.toLowerCase();
  for (let at = lower.indexOf('boundary'); at >= 0; at = lower.indexOf('boundary', at + 8)) {
    // A parameter name: after `;` and optional spaces, then `=`.
    let before = at - 1;
    while (before >= 0 && (lower[before] === ' ' || lower[before] === '\t')) before--;
    let eq = at + 8;
    while (lower[eq] === ' ' || lower[eq] === '\t') eq++;
    if (before < 0 || lower[before] !== ';' || lower[eq] !== '=') continue;
    let start = eq + 1;
    while (value[start] === ' ' || value[start] === '\t') start++;
    if (value[start] === '"') {
      const end = value.indexOf('"', start + 1);
      return end > start + 1 ? value.slice(start + 1, end) : null;
    }
    let end = start;
    while (end < value.length && value[end] !== ';' && value[end] !== ' ' && value[end] !== '\t') end++;
    return end > start ? value.slice(start, end) : null;
  }
  return null;
}

/** A Content-Type value up to its first `;` or space, lower-cased: the type without its parameters. */
export function mediaType(value: string): string {
  let end = 0;
  while (end < value.length && !isParameterStart(value.charCodeAt(end))) end++;
  return value.slice(0, end).toLowerCase();
}

function isParameterStart(c: number): boolean {
  return c === 0x3b || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
}

/**
 * The status code of a response's first line: the three digits after its first space
 * (`HTTP/1.1 200 OK`, SHOUTcast's `ICY 200 OK`); NaN when there are none.
 */
export function statusCode(firstLine: string): number {
  const space = firstLine.indexOf(' ');
  if (space < 0 || firstLine.length < space + 4) return Number.NaN;
  let code = 0;
  for (let i = space + 1; i < space + 4; i++) {
    const d = firstLine.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    code = code * 10 + d;
  }
  return code;
}

/** Offset of the LF ending the line that starts at `from`, or the text's length. */
function lineEnd(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  return lf < 0 ? text.length : lf;
}

/** The first line without its line end (a CR only before the LF, as `/\r?\n/` splits). */
function firstLine(head: string, end: number): string {
  const cut = end < head.length && end > 0 && head.charCodeAt(end - 1) === 13 ? end - 1 : end;
  return head.slice(0, cut);
}

/**
 * Content-*, Transfer-Encoding and Upgrade start with c, t or u; a name starting with
 * whitespace or a non-ASCII character takes the full (trimming) path too.
 */
function mayNameAFramingHeader(c: number): boolean {
  const lower = c | 0x20;
  return lower === 0x63 || lower === 0x74 || lower === 0x75 || c <= 0x20 || c >= 0x7f;
}

/** The port of `CONNECT host:port HTTP/1.1`, or 0 when the target names none. */
export function authorityPort(requestLine: string): number {
  const target = requestLine.split(' ')[1] ?? '';
  const colon = target.lastIndexOf(':');
  if (colon < 0 || target.endsWith(']')) return 0;
  const port = Number(target.slice(colon + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 0;
}
