import { type Argument, parseUrlencoded } from './bodies/urlencoded.js';
import { type CrsRequest, type CrsResponse, protocolOf, toByteString } from './request.js';
import type { BodyProcessorName } from './rule.js';
import { urlDecode } from './transformations/urlDecoding.js';

/** A member of a collection: its key as sent (lookups fold case) and its value, both byte strings. */
export interface Member {
  readonly key: string;
  readonly value: string;
}

/** What the request line, headers and query string give, before any body is read. */
export interface RequestLineData {
  readonly method: string;
  readonly uriRaw: string;
  readonly uri: string;
  readonly filename: string;
  readonly basename: string;
  readonly queryString: string;
  readonly protocol: string;
  readonly requestLine: string;
  readonly headers: readonly Member[];
  readonly cookies: readonly Member[];
  readonly argsGet: readonly Member[];
  readonly contentType: string;
  readonly body: string;
  readonly remoteAddr: string;
  readonly remotePort: string;
  /** The body processor the Content-Type calls for (ModSecurity's recommended configuration). */
  readonly defaultProcessor: BodyProcessorName | null;
}

export function readRequestLine(request: CrsRequest): RequestLineData {
  const method = toByteString(request.method);
  const uriRaw = toByteString(request.uri);
  const uri = withoutSite(uriRaw);
  const hash = uri.indexOf('#');
  const noFragment = hash < 0 ? uri : uri.slice(0, hash);
  const q = noFragment.indexOf('?');
  // REQUEST_FILENAME is the decoded path (as CRS's tests expect of ModSecurity and Coraza alike).
  const filename = percentDecode(q < 0 ? noFragment : noFragment.slice(0, q));
  const queryString = q < 0 ? '' : noFragment.slice(q + 1);
  const protocol = protocolOf(request.version);
  const headers = request.headers.map(([key, value]) => ({ key: toByteString(key), value: toByteString(value) }));
  const contentType = headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? '';
  return {
    method,
    uriRaw,
    uri,
    filename,
    basename: filename.slice(filename.lastIndexOf('/') + 1),
    queryString,
    protocol,
    requestLine: `${method} ${uriRaw} ${protocol}`,
    headers,
    cookies: parseCookies(headers),
    argsGet: members(parseUrlencoded(queryString)),
    contentType,
    body: toByteString(request.body),
    remoteAddr: request.remoteAddr,
    remotePort: String(request.remotePort ?? 0),
    defaultProcessor: processorFor(contentType),
  };
}

/** %XX escapes decoded, `+` left alone (it is only a space in a query string). */
function percentDecode(path: string): string {
  return path.indexOf('%') < 0 ? path : urlDecode(path.replaceAll('+', '%2B'));
}

/** REQUEST_URI never holds the scheme and host of an absolute-form target (REQUEST_URI_RAW does). */
function withoutSite(uri: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(uri);
  if (m === null) return uri;
  const rest = uri.slice(m[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export function processorFor(contentType: string): BodyProcessorName | null {
  const ct = contentType.trim().toLowerCase();
  if (ct.startsWith('multipart/form-data')) return 'MULTIPART';
  if (ct.startsWith('application/x-www-form-urlencoded')) return 'URLENCODED';
  if (/^(?:application(?:\/soap\+|\/)|text\/)xml/.test(ct)) return 'XML';
  if (/^application\/(?:[a-z0-9.-]+\+)?json/.test(ct)) return 'JSON';
  return null;
}

/** Cookie headers split as ModSecurity v2 does (version 0 cookies): `;` separates, values stay encoded. */
function parseCookies(headers: readonly Member[]): Member[] {
  const out: Member[] = [];
  for (const h of headers) {
    if (h.key.toLowerCase() !== 'cookie') continue;
    for (const piece of h.value.split(';')) {
      const item = piece.replace(/^[ \t]+/, '');
      if (item === '') continue;
      const eq = item.indexOf('=');
      out.push(eq < 0 ? { key: item, value: '' } : { key: item.slice(0, eq), value: item.slice(eq + 1) });
    }
  }
  return out;
}

export function members(args: readonly Argument[]): Member[] {
  return args.map((a) => ({ key: a.name, value: a.value }));
}

/** The response as the RESPONSE_* variables see it. */
export interface ResponseData {
  readonly status: string;
  readonly protocol: string;
  readonly headers: readonly Member[];
  readonly body: string;
  readonly contentType: string;
}

export function readResponse(response: CrsResponse): ResponseData {
  const headers = response.headers.map(([key, value]) => ({ key: toByteString(key), value: toByteString(value) }));
  return {
    status: String(response.status),
    protocol: protocolOf(response.version ?? 'HTTP/1.1'),
    headers,
    body: toByteString(response.body),
    contentType: headers.find((h) => h.key.toLowerCase() === 'content-type')?.value ?? '',
  };
}
