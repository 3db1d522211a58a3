import { type HttpRequest, LIMITS } from './observation.js';
import { parseTarget } from './target.js';

export interface RequestParts {
  /** The request line as received, without its line ending. */
  readonly line: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly bodyPrefix?: string;
  /** A reason the sensor already knows the request is malformed (e.g. the HTTP parser's error). */
  readonly malformed?: string | null;
}

const METHOD_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are exactly what we look for
const CONTROL_OR_NON_ASCII_RE = /[\x00-\x08\x0a-\x1f\x7f-\xff]/;

/**
 * Build an HttpRequest from a request line that may be anything an attacker sent: the
 * 2003 PrettyPark worm's four-token `CONNECT maila.microsoft.com:25 / HTTP/1.0`, a bare path, binary noise.
 * Never throws; what does not fit HTTP/1.x is described in `malformed`. `bodyLimit`: how much of
 * the body the rules see (the gateway's `limits.body_inspect`; LIMITS.bodyPrefix elsewhere).
 */
export function buildHttpRequest(parts: RequestParts, bodyLimit: number = LIMITS.bodyPrefix): HttpRequest {
  const lineTruncated = parts.line.length > LIMITS.requestLine;
  const line = lineTruncated ? parts.line.slice(0, LIMITS.requestLine) : parts.line;
  const { count, method, target, last } = readRequestLine(line);
  const version = isHttpVersion(last) ? last : '';
  const parsed = parseTarget(method, target);

  let malformed = parts.malformed ?? null;
  if (malformed === null) malformed = describeLineProblem(line, count, method, version);
  if (malformed === null && parsed.form === 'malformed') malformed = 'unrecognised request target';
  if (malformed === null && lineTruncated) malformed = 'request line too long';

  return {
    line,
    lineTruncated,
    method,
    target,
    version,
    form: parsed.form,
    authority: parsed.authority,
    path: parsed.path,
    query: parsed.query,
    headers: boundHeaders(parts.headers ?? NO_HEADERS),
    bodyPrefix: parts.bodyPrefix === undefined ? '' : parts.bodyPrefix.slice(0, bodyLimit),
    malformed,
  };
}

const NO_HEADERS: ReadonlyArray<readonly [string, string]> = [];

/** What the request line's tokens give: how many, the first two and the last (from the third on). */
interface LineTokens {
  readonly count: number;
  readonly method: string;
  readonly target: string;
  readonly last: string;
}

/**
 * The tokens of a request line. Most lines are `METHOD target VERSION` with single spaces:
 * three native scans find them; anything else goes through the general split.
 */
function readRequestLine(line: string): LineTokens {
  const s1 = line.indexOf(' ');
  const s2 = s1 > 0 ? line.indexOf(' ', s1 + 1) : -1;
  if (s2 > s1 + 1 && s2 + 1 < line.length && line.indexOf(' ', s2 + 1) < 0 && line.indexOf('\t') < 0) {
    return { count: 3, method: line.slice(0, s1), target: line.slice(s1 + 1, s2), last: line.slice(s2 + 1) };
  }
  const tokens = splitTokens(line);
  return {
    count: tokens.length,
    method: tokens[0] ?? '',
    target: tokens[1] ?? '',
    last: tokens.length > 2 ? (tokens[tokens.length - 1] as string) : '',
  };
}

/**
 * The line's tokens between runs of spaces and tabs, empty ones dropped — what
 * `line.split(/[ \t]+/).filter(Boolean)` gives, without the regex and the second array (this
 * runs for every request the gateway sees and every logged line).
 */
function splitTokens(line: string): string[] {
  const tokens: string[] = [];
  // Native scans for the separator when there is only one kind of it (a tab is rare).
  if (line.indexOf('\t') < 0) {
    let start = 0;
    for (let cut = line.indexOf(' '); cut >= 0; cut = line.indexOf(' ', start)) {
      if (cut > start) tokens.push(line.slice(start, cut));
      start = cut + 1;
    }
    if (start < line.length) tokens.push(start === 0 ? line : line.slice(start));
    return tokens;
  }
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      if (start >= 0) {
        tokens.push(line.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) tokens.push(line.slice(start));
  return tokens;
}

/** `HTTP/<digit>` or `HTTP/<digit>.<digit>`. */
export function isHttpVersion(text: string): boolean {
  if ((text.length !== 6 && text.length !== 8) || !text.startsWith('HTTP/') || !isDigit(text.charCodeAt(5)))
    return false;
  return text.length === 6 || (text.charCodeAt(6) === 46 /* . */ && isDigit(text.charCodeAt(7)));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function describeLineProblem(line: string, count: number, method: string, version: string): string | null {
  if (count === 0) return 'empty request line';
  if (CONTROL_OR_NON_ASCII_RE.test(line)) return 'control or non-ASCII bytes in request line';
  if (!isMethodToken(method)) return 'invalid method token';
  if (count === 2) return 'request line without HTTP version';
  if (count > 3) return `request line has ${count} tokens, expected 3`;
  if (count === 1) return 'request line has no target';
  if (version === '') return 'invalid HTTP version';
  return null;
}

/**
 * Header names lower-cased and values cut at the bound. Headers that already fit — every
 * logged line's — are kept as they are rather than copied pair by pair.
 */
function boundHeaders(headers: ReadonlyArray<readonly [string, string]>): ReadonlyArray<readonly [string, string]> {
  if (headers.length <= LIMITS.headerCount && headers.every(fits)) return headers;
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of headers) {
    if (out.length >= LIMITS.headerCount) break;
    out.push([name.toLowerCase(), value.length > LIMITS.headerValue ? value.slice(0, LIMITS.headerValue) : value]);
  }
  return out;
}

function fits([name, value]: readonly [string, string]): boolean {
  return value.length <= LIMITS.headerValue && isLowerCase(name);
}

/** Header names seen already lower-case: the same few names arrive with every request. */
const LOWER_CASE_NAMES = new Set<string>();

function isLowerCase(name: string): boolean {
  if (LOWER_CASE_NAMES.has(name)) return true;
  if (name.toLowerCase() !== name) return false;
  // Bounded: header names are the client's to choose.
  if (LOWER_CASE_NAMES.size < 256) LOWER_CASE_NAMES.add(name);
  return true;
}

/** RFC 9110 token, with the everyday methods answered without the regex. */
function isMethodToken(method: string): boolean {
  return method === 'GET' || method === 'POST' || method === 'HEAD' || METHOD_RE.test(method);
}

/** The first value of a header, by lower-case name. */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  for (const [n, v] of request.headers) if (n === name) return v;
  return undefined;
}
