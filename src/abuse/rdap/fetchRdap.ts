import { request } from 'undici';
import { userAgent } from '../version.js';
import { RdapError } from './rdapError.js';
import { retryAfterMs } from './retryAfter.js';

/** What one HTTP exchange with an RDAP server came to (RFC 7480 §5). */
export type RdapHttpResult =
  | { readonly kind: 'json'; readonly url: string; readonly json: unknown }
  | { readonly kind: 'redirect'; readonly url: string; readonly location: string }
  | { readonly kind: 'not-found'; readonly url: string }
  | { readonly kind: 'rate-limited'; readonly url: string; readonly retryAfterMs: number | null };

export type FetchRdap = (url: string, timeoutMs: number) => Promise<RdapHttpResult>;

/** An RDAP answer is a few KiB; a server that sends more is not answering an IP query. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * GET one RDAP URL with undici, the whole exchange (connect, headers, body) bounded by
 * `timeoutMs`. Redirects are returned, not followed, so the caller can bound and record the
 * referral chain. Failures throw RdapError with a code: timeout, offline, HTTP status, bad JSON.
 */
export const fetchRdap: FetchRdap = async (url, timeoutMs) => {
  const host = new URL(url).host;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/rdap+json, application/json;q=0.9', 'user-agent': userAgent() },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw networkError(err, host, timeoutMs);
  }
  const { statusCode, headers, body } = response;
  try {
    if (statusCode === 200) return { kind: 'json', url, json: await readJson(body, url, host, timeoutMs) };
    if ([301, 302, 303, 307, 308].includes(statusCode) && typeof headers.location === 'string')
      return { kind: 'redirect', url, location: new URL(headers.location, url).href };
    if (statusCode === 404) return { kind: 'not-found', url };
    if (statusCode === 429)
      return { kind: 'rate-limited', url, retryAfterMs: retryAfterMs(headers['retry-after'], Date.now()) };
    throw new RdapError('E_RDAP_HTTP', `${host} answered HTTP ${statusCode} to ${url}`);
  } finally {
    // Whatever was not read is discarded, so the connection can be reused or closed.
    await body.dump().catch(() => {});
  }
};

async function readJson(body: AsyncIterable<Buffer>, url: string, host: string, timeoutMs: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        throw new RdapError('E_RDAP_BAD_ANSWER', `${host} sent more than ${MAX_BODY_BYTES} bytes for ${url}`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof RdapError) throw err;
    throw networkError(err, host, timeoutMs);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RdapError('E_RDAP_BAD_ANSWER', `${host} answered ${url} with something that is not JSON`);
  }
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

function networkError(err: unknown, host: string, timeoutMs: number): RdapError {
  const e = err as { code?: string; name?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code.endsWith('_TIMEOUT') || code === 'ETIMEDOUT')
    return new RdapError('E_RDAP_TIMEOUT', `${host} did not answer within ${timeoutMs / 1000} s`);
  if (OFFLINE_CODES.has(code))
    return new RdapError('E_RDAP_OFFLINE', `cannot reach ${host} (${code}): offline, or the server is down`);
  return new RdapError('E_RDAP_OFFLINE', `cannot reach ${host}: ${(err as Error).message ?? String(err)}`);
}
