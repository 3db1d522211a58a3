import { isHttpVersion } from '../../../observe/httpRequest.js';

/** TCP ports tshark 4.0 gives to its HTTP dissector (`tshark -G decodes`). */
export const HTTP_PORTS: ReadonlySet<number> = new Set([
  80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371,
]);

/** Request methods tshark's HTTP dissector recognises at the start of a message (packet-http.c). */
const METHODS = new Set([
  'GET',
  'PUT',
  'POST',
  'HEAD',
  'OPTIONS',
  'DELETE',
  'TRACE',
  'CONNECT',
  'PATCH',
  'LOCK',
  'UNLOCK',
  'COPY',
  'MOVE',
  'MKCOL',
  'PROPFIND',
  'PROPPATCH',
  'SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'M-SEARCH',
  'POLL',
  'BMOVE',
  'BCOPY',
  'BDELETE',
  'BPROPFIND',
  'BPROPPATCH',
  'MKWORKSPACE',
  'MKACTIVITY',
  'CHECKOUT',
  'CHECKIN',
  'UNCHECKOUT',
  'UPDATE',
  'LABEL',
  'MERGE',
  'BASELINE-CONTROL',
  'VERSION-CONTROL',
  'REPORT',
  'ACL',
  'MKREDIRECTREF',
  'UPDATEREDIRECTREF',
  'ORDERPATCH',
  'RPC_IN_DATA',
  'RPC_OUT_DATA',
  'RPC_CONNECT',
  'SSTP_DUPLEX_POST',
  // Configuration Manager (SCCM) client messaging, also sent by tools that attack it.
  'CCM_POST',
]);

export type MessageStart = { readonly kind: 'request'; readonly method: string } | { readonly kind: 'response' } | null;

/**
 * Does the data at `at` start an HTTP request or response, as tshark judges it? Its first token
 * (after an `M-` prefix, as in `M-POST`) is a known method, or starts with `HTTP/` or `ICY`
 * (a SHOUTcast response).
 */
export function messageStart(b: Uint8Array, at: number): MessageStart {
  let end = at;
  const limit = Math.min(b.length, at + 20);
  // The token ends at a space, or at the line's end (tshark takes a bare `OPTIONS` line too).
  while (end < limit && b[end] !== 0x20 && b[end] !== 0x0d && b[end] !== 0x0a) end++;
  let from = at;
  if (end - from >= 2 && b[from] === 0x4d && b[from + 1] === 0x2d) from += 2;
  if (startsWith(b, from, end, 'HTTP/') || startsWith(b, from, end, 'ICY')) return { kind: 'response' };
  if (end >= limit || end === from) return null;
  const method = Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('latin1');
  return METHODS.has(method) ? { kind: 'request', method } : null;
}

/**
 * `messageStart` of a first line already read (latin1, without its line end, which ends the
 * token as its LF would): the packet log names each message by it, without turning the line
 * back into bytes.
 */
export function lineStart(line: string): MessageStart {
  const n = line.length;
  const limit = Math.min(n + 1, 20);
  let end = 0;
  while (end < limit && end < n) {
    const c = line.charCodeAt(end);
    if (c === 0x20 || c === 0x0d || c === 0x0a) break;
    end++;
  }
  let from = 0;
  if (end >= 2 && line.charCodeAt(0) === 0x4d && line.charCodeAt(1) === 0x2d) from = 2;
  // The token holds no space nor line end, as these prefixes do not: a prefix of the line is one of the token.
  if ((end - from >= 5 && line.startsWith('HTTP/', from)) || (end - from >= 3 && line.startsWith('ICY', from)))
    return RESPONSE;
  if (end >= limit || end === from) return null;
  const method = line.slice(from, end);
  return METHODS.has(method) ? { kind: 'request', method } : null;
}

const RESPONSE: MessageStart = { kind: 'response' };

function startsWith(b: Uint8Array, from: number, end: number, prefix: string): boolean {
  if (end - from < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[from + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * tshark's heuristic HTTP-over-TCP test for ports not registered to HTTP: the first line is a
 * response (`HTTP/1.`) or ends with `HTTP/1.x`.
 */
export function looksLikeHttp(b: Uint8Array): boolean {
  if (b.length >= 7 && Buffer.from(b.buffer, b.byteOffset, 7).toString('latin1') === 'HTTP/1.') return true;
  let eol = 0;
  const limit = Math.min(b.length, 4096);
  while (eol < limit && b[eol] !== 0x0a) eol++;
  if (eol >= limit) return false;
  let end = eol;
  if (end > 0 && b[end - 1] === 0x0d) end--;
  if (end < 8) return false;
  const tail = Buffer.from(b.buffer, b.byteOffset + end - 8, 7).toString('latin1');
  return tail === 'HTTP/1.' && messageStart(b, 0)?.kind === 'request';
}

// How the one framer (./framer.ts) finds a message's start: more lenient than tshark's test
// above (any token is a method for the rule engine; the log names what tshark would not).

/** `HTTP/` or `ICY` (SHOUTcast) at `at` (the start), of bytes ending at `end`: a response. */
export function isResponseStart(b: Uint8Array, at = 0, end = b.length): boolean {
  return prefixAt(b, at, end, HTTP_SLASH, true) || prefixAt(b, at, end, ICY, true);
}

/** `HTTP/` and `ICY` as bytes (compared without a string's charCodeAt per byte). */
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f];
const ICY = [0x49, 0x43, 0x59];

/** `prefix` at `at`: whole (`all`), or as far as the bytes there (up to `end`) go. */
function prefixAt(b: Uint8Array, at: number, end: number, prefix: readonly number[], all: boolean): boolean {
  const avail = end - at;
  if (all && avail < prefix.length) return false;
  const n = Math.min(avail, prefix.length);
  for (let i = 0; i < n; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * Could a message start at `at`, as far as the bytes go (up to `end`): a response's start, or
 * a method-like token and a space.
 */
export function mayStartMessage(b: Uint8Array, at: number, end = b.length): boolean {
  const c = b[at];
  if (c === 0x48 && prefixAt(b, at, end, HTTP_SLASH, false)) return true;
  if (c === 0x49 && prefixAt(b, at, end, ICY, false)) return true;
  return looksLikeRequest(b, at, end);
}

/**
 * A request line starts with a method-like token and a space (any token: `FOO`, `get` are
 * judged), or is that token alone (a bare `OPTIONS` line, as tshark takes it).
 */
export function looksLikeRequest(b: Uint8Array, at: number, end = b.length): boolean {
  const limit = Math.min(end, at + 32);
  for (let i = at; i < limit; i++) {
    const c = b[i] as number;
    if (c === 0x20 || c === 0x0d || c === 0x0a) return i > at;
    const token = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
    if (!token) return false;
  }
  return end - at < 32;
}

/** Does a request line end in an HTTP version (`GET / HTTP/1.1`)? */
export function endsInHttpVersion(line: string): boolean {
  const trimmed = line.trimEnd();
  const space = trimmed.lastIndexOf(' ');
  return space > 0 && isHttpVersion(trimmed.slice(space + 1));
}

/** The last bytes `bufferOf` was asked for, and its view of them. */
let lastBytes: Uint8Array | null = null;
let lastView: Buffer = Buffer.alloc(0);

/**
 * `b` as a Buffer over the same bytes (for its latin1 decoding): `b` itself when it is one, else
 * one view per distinct `b` — the framer reads a capture's chunk in place, record after record,
 * so this is a view per chunk, not one per message.
 */
export function bufferOf(b: Uint8Array): Buffer {
  if (Buffer.isBuffer(b)) return b;
  if (b !== lastBytes) {
    lastBytes = b;
    lastView = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
  return lastView;
}

/** The first line of the head at `start` of `b`, whose LF is at `lf`, without its line end (latin1). */
export function firstLineOf(b: Uint8Array, start: number, lf: number): string {
  return bufferOf(b).toString('latin1', start, lineCut(b, start, lf));
}

/** Where the text of the line `b[start, lf)` ends: before a CR that precedes its LF. */
export function lineCut(b: Uint8Array, start: number, lf: number): number {
  return lf > start && b[lf - 1] === 0x0d ? lf - 1 : lf;
}
