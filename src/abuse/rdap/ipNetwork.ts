import { addressRange, cidrRange, type IpRange, IpRangeError } from '../net/ipRange.js';
import { RdapError } from './rdapError.js';

/** What an RDAP IP network object (RFC 9083 §5.4) says about the network an address is in. */
export interface NetworkInfo {
  readonly handle: string | null;
  readonly name: string | null;
  readonly startAddress: string | null;
  readonly endAddress: string | null;
  /** From the cidr0 extension (`cidr0_cidrs`), as `prefix/length`. */
  readonly cidrs: readonly string[];
  readonly country: string | null;
  readonly type: string | null;
}

interface RdapIpNetwork {
  objectClassName?: unknown;
  handle?: unknown;
  name?: unknown;
  startAddress?: unknown;
  endAddress?: unknown;
  country?: unknown;
  type?: unknown;
  cidr0_cidrs?: unknown;
  links?: unknown;
}

/** Read an answer to `/ip/ADDR`; anything that is not an IP network object is refused. */
export function readIpNetwork(json: unknown, url: string): NetworkInfo {
  const o = (json ?? {}) as RdapIpNetwork;
  const isNetwork =
    typeof json === 'object' &&
    json !== null &&
    (o.objectClassName === 'ip network' || (o.objectClassName === undefined && typeof o.startAddress === 'string'));
  if (!isNetwork) throw new RdapError('E_RDAP_BAD_ANSWER', `${url} did not answer with an RDAP IP network object`);
  return {
    handle: text(o.handle),
    name: text(o.name),
    startAddress: text(o.startAddress),
    endAddress: text(o.endAddress),
    cidrs: cidr0(o.cidr0_cidrs),
    country: text(o.country),
    type: text(o.type),
  };
}

/** The addresses the network covers: start to end, else its first cidr0 prefix; null when it says neither. */
export function networkRange(n: NetworkInfo): IpRange | null {
  try {
    if (n.startAddress && n.endAddress) return addressRange(n.startAddress, n.endAddress);
    if (n.cidrs[0]) return cidrRange(n.cidrs[0]);
  } catch (err) {
    if (!(err instanceof IpRangeError)) throw err;
  }
  return null;
}

/** `151.29.0.0 - 151.29.255.255 (151.29.0.0/16)`: the range as people read it. */
export function describeRange(n: NetworkInfo): string | null {
  const span = n.startAddress && n.endAddress ? `${n.startAddress} - ${n.endAddress}` : null;
  const cidrs = n.cidrs.length > 0 ? n.cidrs.join(', ') : null;
  if (span && cidrs) return `${span} (${cidrs})`;
  return span ?? cidrs;
}

/**
 * A referral to another registry's answer for the same query: a `related` link to an `/ip/`
 * URL on another server (a registry that holds the parent block pointing at the one that holds
 * the address). Null when there is none.
 */
export function referralOf(json: unknown, url: string): string | null {
  const links = (json as RdapIpNetwork | null)?.links;
  if (!Array.isArray(links)) return null;
  const here = new URL(url);
  for (const link of links) {
    const l = link as { rel?: unknown; href?: unknown; type?: unknown } | null;
    if (typeof l?.rel !== 'string' || l.rel.toLowerCase() !== 'related' || typeof l.href !== 'string') continue;
    if (typeof l.type === 'string' && !/json/i.test(l.type)) continue;
    let target: URL;
    try {
      target = new URL(l.href, here);
    } catch {
      continue;
    }
    if ((target.protocol === 'https:' || target.protocol === 'http:') && /\/ip\//.test(target.pathname)) {
      if (target.host !== here.host) return target.href;
    }
  }
  return null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function cidr0(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const c of v) {
    const e = c as { v4prefix?: unknown; v6prefix?: unknown; length?: unknown } | null;
    const prefix = typeof e?.v4prefix === 'string' ? e.v4prefix : typeof e?.v6prefix === 'string' ? e.v6prefix : null;
    if (prefix && typeof e?.length === 'number') out.push(`${prefix}/${e.length}`);
  }
  return out;
}
