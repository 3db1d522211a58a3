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

const VERSION_RE = /^HTTP\/\d(\.\d)?$/;
const METHOD_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Build an HttpRequest from a request line that may be anything an attacker sent: the
 * seed's four-token `CONNECT maila.microsoft.com:25 / HTTP/1.0`, a bare path, binary noise.
 * Never throws; what does not fit HTTP/1.x is described in `malformed`.
 */
export function buildHttpRequest(parts: RequestParts): HttpRequest {
  const lineTruncated = parts.line.length > LIMITS.requestLine;
  const line = lineTruncated ? parts.line.slice(0, LIMITS.requestLine) : parts.line;
  const tokens = line.split(/[ \t]+/).filter((t) => t !== '');
  const method = tokens[0] ?? '';
  const last = tokens.length > 2 ? (tokens[tokens.length - 1] as string) : (tokens[2] ?? '');
  const version = VERSION_RE.test(last) ? last : '';
  const target = tokens[1] ?? '';
  const parsed = parseTarget(method, target);

  let malformed = parts.malformed ?? null;
  if (malformed === null) malformed = describeLineProblem(line, tokens, version);
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
    headers: boundHeaders(parts.headers ?? []),
    bodyPrefix: (parts.bodyPrefix ?? '').slice(0, LIMITS.bodyPrefix),
    malformed,
  };
}

function describeLineProblem(line: string, tokens: string[], version: string): string | null {
  if (tokens.length === 0) return 'empty request line';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are exactly what we look for
  if (/[\x00-\x08\x0a-\x1f\x7f-\xff]/.test(line)) return 'control or non-ASCII bytes in request line';
  if (!METHOD_RE.test(tokens[0] as string)) return 'invalid method token';
  if (tokens.length === 2) return 'request line without HTTP version';
  if (tokens.length > 3) return `request line has ${tokens.length} tokens, expected 3`;
  if (tokens.length === 1) return 'request line has no target';
  if (version === '') return 'invalid HTTP version';
  return null;
}

function boundHeaders(headers: ReadonlyArray<readonly [string, string]>): ReadonlyArray<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of headers) {
    if (out.length >= LIMITS.headerCount) break;
    out.push([name.toLowerCase(), value.length > LIMITS.headerValue ? value.slice(0, LIMITS.headerValue) : value]);
  }
  return out;
}

/** The first value of a header, by lower-case name. */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  for (const [n, v] of request.headers) if (n === name) return v;
  return undefined;
}
