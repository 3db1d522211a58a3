import type { RdapCache } from '../store/rdapCache.js';
import { type Bootstrap, parseBootstrap } from './bootstrap.js';
import type { FetchRdap } from './fetchRdap.js';
import { RdapError } from './rdapError.js';

/** IANA's bootstrap files (RFC 9224), one per address family. */
export const IANA_BOOTSTRAP: Readonly<Record<4 | 6, string>> = {
  4: 'https://data.iana.org/rdap/ipv4.json',
  6: 'https://data.iana.org/rdap/ipv6.json',
};

export interface BootstrapOptions {
  /** A replacement bootstrap file for both families (a mirror, a test server); IANA's when null. */
  readonly override: string | null;
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly fetch: FetchRdap;
  readonly now: () => number;
}

/**
 * The bootstrap file for a family: the cached copy while it is younger than `maxAgeMs`, else
 * a fresh one. When the refresh fails, an older copy is still used (registries move rarely)
 * and the caller is told; with no copy at all the lookup cannot start.
 */
export async function loadBootstrap(
  family: 4 | 6,
  cache: RdapCache,
  options: BootstrapOptions,
  notes: string[],
): Promise<Bootstrap> {
  const url = options.override ?? IANA_BOOTSTRAP[family];
  const cached = cache.bootstrap(url);
  const now = options.now();
  if (cached && now - cached.fetchedAt < options.maxAgeMs) return parseBootstrap(JSON.parse(cached.value), url);
  try {
    const json = await fetchFollowing(url, options);
    const bootstrap = parseBootstrap(json, url);
    cache.putBootstrap(url, JSON.stringify(json), now);
    return bootstrap;
  } catch (err) {
    if (!(err instanceof RdapError)) throw err;
    if (cached) {
      notes.push(
        `could not refresh the RDAP bootstrap file (${err.message}); using the copy fetched ${new Date(cached.fetchedAt).toISOString()}`,
      );
      return parseBootstrap(JSON.parse(cached.value), url);
    }
    throw new RdapError('E_RDAP_BOOTSTRAP', `cannot get the RDAP bootstrap file ${url}: ${err.message}`, err.retryAt);
  }
}

async function fetchFollowing(url: string, options: BootstrapOptions): Promise<unknown> {
  let current = url;
  for (let hop = 0; hop < 3; hop++) {
    const result = await options.fetch(current, options.timeoutMs);
    if (result.kind === 'json') return result.json;
    if (result.kind === 'redirect') {
      current = result.location;
      continue;
    }
    throw new RdapError(
      result.kind === 'rate-limited' ? 'E_RDAP_RATE_LIMITED' : 'E_RDAP_HTTP',
      result.kind === 'rate-limited'
        ? `${current} answered 429 Too Many Requests`
        : `${current} answered 404 Not Found`,
    );
  }
  throw new RdapError('E_RDAP_REFERRALS', `${url} redirected more than 3 times`);
}
