import { bufferOf } from './messageStart.js';

/** What an HTTP/1.x message head says about its framing and content, read leniently. */
export interface HeadFacts {
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
 * A message head's header lines read (latin1 bytes, LF or CRLF line ends) in the one pass
 * that finds where the head ends, for the HTTP framer (./framer.ts): one per framer, refilled
 * for each head. Lines are walked in place over the bytes (no text of the head is made): a
 * header's name is compared where it lies, Content-Length and Transfer-Encoding are read there
 * too, and only the other headers' values become text. Read as the head's text would be: a
 * name trimmed and lower-cased (`String.prototype.trim`, `toLowerCase`), a value trimmed.
 */
export class HeadReader implements HeadFacts {
  contentLength: number | null = null;
  chunked = false;
  upgrade: string | null = null;
  contentType: string | null = null;
  boundary: string | null = null;
  contentEncoding: string | null = null;

  /** Where `read` goes on in the head under way, from the head's start: the first line not read whole. */
  #next = 0;

  /** A head's header lines start `from` its start (just past its first line's LF): no facts yet. */
  begin(from: number): void {
    this.contentLength = null;
    this.chunked = false;
    this.upgrade = null;
    this.contentType = null;
    this.boundary = null;
    this.contentEncoding = null;
    this.#next = from;
  }

  /**
   * Read on in the head that starts at `base` of `head`, up to `to`: the end of the head (past
   * its blank line, LF or CRLF, where ./headEnd.ts finds it), or -1 when it has not ended there.
   * Only whole lines are read: the next call, given the head's bytes so far and more (wherever
   * they now lie), goes on from the first line not read whole, so a head that comes in many
   * pieces is still read once. `content`: read Content-Type and Content-Encoding too (the packet
   * log's naming of the body needs them; without it they are null).
   */
  read(head: Uint8Array, base: number, to: number, content: boolean): number {
    let start = base + this.#next;
    while (start < to) {
      const c = head[start];
      if (c === 0x0a) return start + 1;
      if (c === 0x0d && start + 1 < to && head[start + 1] === 0x0a) return start + 2;
      const end = lineEnd(head, start, to);
      if (end === to) break;
      if (mayNameAFramingHeader(c as number)) this.#header(head, start, end, content);
      start = end + 1;
    }
    this.#next = start - base;
    return -1;
  }

  /** The header line `head[start, end)`, when it is one of those read. */
  #header(head: Uint8Array, start: number, end: number, content: boolean): void {
    const colon = colonIn(head, start, end);
    const name = colon > start ? headerName(head, start, colon) : NOT_READ;
    if (name === CONTENT_LENGTH) {
      const n = digits(head, colon + 1, end);
      if (n >= 0) this.contentLength = n;
    } else if (name === TRANSFER_ENCODING) {
      if (hasChunked(head, colon + 1, end)) this.chunked = true;
    } else if (name === UPGRADE)
      this.upgrade = bufferOf(head)
        .toString('latin1', colon + 1, end)
        .trim()
        .toLowerCase();
    else if (name !== NOT_READ && content) {
      const value = bufferOf(head)
        .toString('latin1', colon + 1, end)
        .trim();
      if (name === CONTENT_TYPE) {
        this.contentType = mediaType(value);
        this.boundary = this.contentType.startsWith('multipart/') ? boundaryOf(value) : null;
      } else this.contentEncoding = value.toLowerCase();
    }
  }
}

/** A value of 1 to 15 digits once trimmed (`/^\d{1,15}$/`), as a number; else -1. */
function digits(b: Uint8Array, start: number, end: number): number {
  let from = start;
  let to = end;
  while (from < to && isTrimmed(b[from] as number)) from++;
  while (to > from && isTrimmed(b[to - 1] as number)) to--;
  if (to === from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = (b[i] as number) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const CHUNKED = Array.from('chunked', (c) => c.charCodeAt(0));

/** `chunked` in `b[start, end)`, in any case (`value.toLowerCase().includes('chunked')`). */
function hasChunked(b: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at + CHUNKED.length <= end; at++) if (matchesLower(b, at, CHUNKED)) return true;
  return false;
}

/**
 * `b` at `at` lower-cases to `lower` (ASCII): in latin1 only an ASCII capital lower-cases to
 * an ASCII letter.
 */
function matchesLower(b: Uint8Array, at: number, lower: readonly number[]): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = b[at + i] as number;
    const want = lower[i] as number;
    if (c !== want && !(want >= 0x61 && want <= 0x7a && c === want - 0x20)) return false;
  }
  return true;
}

/** The headers headFacts reads, by index in HEADER_NAMES; NOT_READ for any other name. */
const CONTENT_LENGTH = 0;
const TRANSFER_ENCODING = 1;
const UPGRADE = 2;
const CONTENT_TYPE = 3;
const NOT_READ = -1;
const HEADER_NAMES = ['content-length', 'transfer-encoding', 'upgrade', 'content-type', 'content-encoding'].map(
  (name) => Array.from(name, (c) => c.charCodeAt(0)),
);

/** Which of HEADER_NAMES `b[start, colon)` is, trimmed and lower-cased as text would be. */
function headerName(b: Uint8Array, start: number, colon: number): number {
  let from = start;
  let to = colon;
  while (from < to && isTrimmed(b[from] as number)) from++;
  while (to > from && isTrimmed(b[to - 1] as number)) to--;
  for (let n = 0; n < HEADER_NAMES.length; n++) {
    const name = HEADER_NAMES[n] as number[];
    if (name.length === to - from && matchesLower(b, from, name)) return n;
  }
  return NOT_READ;
}

/** `String.prototype.trim`'s white space, in latin1: TAB, LF, VT, FF, CR, space, no-break space. */
function isTrimmed(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

/** The first `:` of the line [start, end), or -1. */
function colonIn(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (b[i] === 0x3a) return i;
  return -1;
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

/** Offset of the LF ending the line that starts at `from`, or the head's end. */
function lineEnd(b: Uint8Array, from: number, end: number): number {
  // A loop, not Buffer's indexOf: a head's lines are short, and its call costs more than they.
  let i = from;
  while (i < end && b[i] !== 0x0a) i++;
  return i;
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
