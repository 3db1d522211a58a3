import { isIPv4, isIPv6 } from 'node:net';
import { cidrRange, type IpRange, IpRangeError, rangeContains } from '../net/ipRange.js';

/** What the operator's own network is: addresses and ranges, and the site's host names. */
export interface OwnNetwork {
  readonly ranges: readonly string[];
  readonly names: readonly string[];
}

export const OUR_ADDRESS = '[our address]';
export const OTHER_ADDRESS = '[other address]';
export const OUR_SITE = '[our site]';

/**
 * Rewrites evidence so a report names nobody but its source: the operator's own addresses and
 * host names, and every other address (another victim, a proxy, a scanned host), are replaced
 * by a marker. The reported address itself is kept. Pure and deterministic.
 */
export class Redactor {
  readonly #source: string;
  readonly #ranges: IpRange[];
  readonly #names: RegExp | null;

  constructor(source: string, own: OwnNetwork) {
    this.#source = source.toLowerCase();
    this.#ranges = [];
    for (const text of own.ranges) {
      const cidr = text.includes('/') ? text : `${text}/${isIPv4(text) ? 32 : 128}`;
      try {
        this.#ranges.push(cidrRange(cidr));
      } catch (err) {
        if (!(err instanceof IpRangeError)) throw err;
      }
    }
    const names = own.names.map((n) => n.trim().toLowerCase()).filter((n) => n !== '' && !isIPv4(n) && !isIPv6(n));
    // Longest first, so `www.example.org` is not half-replaced by `example.org`.
    names.sort((a, b) => b.length - a.length);
    this.#names =
      names.length > 0
        ? new RegExp(`(?<![\\w.-])(?:${names.map(escapeRegExp).join('|')})(?![\\w-]|\\.[\\w-])`, 'gi')
        : null;
  }

  line(text: string): string {
    let out = text.replace(IPV4, (ip) => this.#address(ip));
    out = out.replace(IPV6_CANDIDATE, (candidate) => (isIPv6(candidate) ? this.#address(candidate) : candidate));
    return this.#names ? out.replace(this.#names, OUR_SITE) : out;
  }

  #address(ip: string): string {
    if (ip.toLowerCase() === this.#source) return ip;
    return this.#ranges.some((r) => rangeContains(r, ip)) ? OUR_ADDRESS : OTHER_ADDRESS;
  }
}

/** Dotted quads not inside a longer run of digits and dots (a version number `1.2.3.4.5`). */
const IPV4 = /(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.]*\d)/g;
/** Runs of hex digits and colons (with at least two colons) that may be IPv6 addresses; isIPv6 decides. */
const IPV6_CANDIDATE = /(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|:)?(?![\w:])/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
