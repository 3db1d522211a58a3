import { cidrRange, type IpRange, IpRangeError, ipNumber, rangeContains, rangeSize } from '../net/ipRange.js';
import { RdapError } from './rdapError.js';

/** One entry of an RFC 9224 bootstrap file: the ranges it covers and the servers that answer for them. */
export interface BootstrapService {
  readonly ranges: readonly IpRange[];
  /** Base URLs, each ending in `/`; https first, as RFC 9224 advises. */
  readonly urls: readonly string[];
}

export interface Bootstrap {
  readonly publication: string | null;
  readonly services: readonly BootstrapService[];
}

/**
 * Read an RFC 9224 IP bootstrap file (`{"version":"1.0","services":[[[cidr…],[url…]]…]}`).
 * IANA publishes one per family; a mirror may serve both families in one file, which reads the
 * same. Entries this reader cannot use (a bad CIDR) are skipped, not fatal: one typo must not
 * cost every other registry.
 */
export function parseBootstrap(json: unknown, from: string): Bootstrap {
  const doc = json as { services?: unknown; publication?: unknown } | null;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.services))
    throw new RdapError('E_RDAP_BOOTSTRAP', `${from} is not an RDAP bootstrap file (no "services" list)`);
  const services: BootstrapService[] = [];
  for (const entry of doc.services) {
    if (!Array.isArray(entry) || !Array.isArray(entry[0]) || !Array.isArray(entry[1])) continue;
    const ranges: IpRange[] = [];
    for (const cidr of entry[0]) {
      if (typeof cidr !== 'string') continue;
      try {
        ranges.push(cidrRange(cidr));
      } catch (err) {
        if (!(err instanceof IpRangeError)) throw err;
      }
    }
    const urls = entry[1]
      .filter((u): u is string => typeof u === 'string' && /^https?:\/\//i.test(u))
      .map((u) => (u.endsWith('/') ? u : `${u}/`))
      .sort((a, b) => Number(b.startsWith('https:')) - Number(a.startsWith('https:')));
    if (ranges.length > 0 && urls.length > 0) services.push({ ranges, urls });
  }
  return { publication: typeof doc.publication === 'string' ? doc.publication : null, services };
}

/** The servers for `ip`: the service with the most specific range that holds it, or null. */
export function serversFor(bootstrap: Bootstrap, ip: string): readonly string[] | null {
  if (ipNumber(ip) === null) return null;
  let best: { size: bigint; urls: readonly string[] } | null = null;
  for (const service of bootstrap.services)
    for (const range of service.ranges)
      if (rangeContains(range, ip) && (best === null || rangeSize(range) < best.size))
        best = { size: rangeSize(range), urls: service.urls };
  return best?.urls ?? null;
}
