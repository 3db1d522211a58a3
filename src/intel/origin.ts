import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { open, type Reader, type Response } from 'maxmind';
import { type AsnInfo, AsnTable } from './asnTable.js';
import { type PoolHint, poolHint } from './poolHint.js';
import type { ReverseDns } from './reverseDns.js';
import { type SpecialRange, specialRange } from './special.js';

/** Where a source came from, as far as offline data (and, optionally, reverse DNS) can tell. */
export interface Origin {
  readonly ip: string;
  /** Set for loopback, private, documentation … addresses, which no database places. */
  readonly special: SpecialRange | null;
  readonly country: { readonly code: string; readonly name: string } | null;
  readonly asn: AsnInfo | null;
  /** The PTR name: a string, null when there is none, undefined when not looked up (or not yet). */
  readonly reverse?: string | null;
  /** Set when the PTR name looks like a dial-up or residential pool. */
  readonly pool?: PoolHint | null;
}

/** The geo-whois-asn-country MMDB holds only `country_code`, not MaxMind's full country record. */
interface CountryRecord {
  country_code?: string;
}

const require = createRequire(import.meta.url);
/** Made on first use: loading ICU's region names costs tens of ms, wasted on runs that never show a country. */
let regionNames: Intl.DisplayNames | null = null;

function regionName(code: string): string {
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  return regionNames.of(code) ?? code;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/**
 * Offline origins: country from ip-location-db's geo-whois-asn-country MMDB (read with
 * `maxmind`), ASN and organisation from its ASN CSV. Both are loaded once and looked up
 * synchronously; reverse DNS, when given, only adds what its cache already knows.
 */
export class OriginDb {
  readonly #country: Reader<Response>;
  readonly #asn: AsnTable;
  readonly #rdns: ReverseDns | null;

  private constructor(country: Reader<Response>, asn: AsnTable, rdns: ReverseDns | null) {
    this.#country = country;
    this.#asn = asn;
    this.#rdns = rdns;
  }

  static async open(options: { rdns?: ReverseDns } = {}): Promise<OriginDb> {
    const countryDir = packageDir('@ip-location-db/geo-whois-asn-country-mmdb');
    const asnDir = packageDir('@ip-location-db/asn');
    const country = await open<Response>(join(countryDir, 'geo-whois-asn-country.mmdb'));
    const asn = AsnTable.load(join(asnDir, 'asn-ipv4-num.csv'), join(asnDir, 'asn-ipv6-num.csv'));
    return new OriginDb(country, asn, options.rdns ?? null);
  }

  get reverseDns(): ReverseDns | null {
    return this.#rdns;
  }

  lookup(ip: string): Origin {
    const special = specialRange(ip);
    let country: Origin['country'] = null;
    let asn: AsnInfo | null = null;
    if (special === null) {
      try {
        const code = (this.#country.get(ip) as CountryRecord | null)?.country_code;
        if (code)
          country = {
            code,
            name: regionName(code),
          };
      } catch {
        country = null;
      }
      asn = this.#asn.lookup(ip);
    }
    if (!this.#rdns) return { ip, special, country, asn };
    const reverse = this.#rdns.peek(ip);
    return { ip, special, country, asn, reverse, pool: reverse ? poolHint(reverse, ip) : null };
  }
}

/** `Italy (IT), AS3269 Telecom Italia S.p.A., dial-up pool (ppp)` — one line for people. */
export function describeOrigin(o: Origin): string {
  if (o.special) return `${o.special} address`;
  const parts: string[] = [];
  parts.push(o.country ? `${o.country.name} (${o.country.code})` : 'country unknown');
  parts.push(o.asn ? `AS${o.asn.number} ${o.asn.org}` : 'network unknown');
  if (o.reverse) parts.push(o.reverse);
  if (o.pool) parts.push(`looks like a ${o.pool.kind} address (${o.pool.evidence})`);
  return parts.join(', ');
}
