import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ValueTest } from './types.js';

export class CidrError extends Error {
  readonly code = 'E_CIDR';
}

/**
 * `cidr`: some value is an address inside one of the networks (IPv4, IPv6, IPv4-mapped IPv6).
 * IPv4 — nearly every request — is checked with integer masks in JavaScript; IPv6 goes to
 * node's BlockList.
 */
export function compileCidr(networks: readonly string[]): ValueTest {
  const v4: Array<[network: number, mask: number]> = [];
  const v6 = new BlockList();
  let hasV6 = false;
  for (const network of networks) {
    const [address = '', bitsText] = network.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (family === null) throw new CidrError(`not an IP network: ${network}`);
    const max = family === 'ipv4' ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new CidrError(`bad prefix length: ${network}`);
    if (family === 'ipv4') {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      v4.push([(ipv4ToInt(address) as number) & mask, mask]);
    } else {
      v6.addSubnet(address, bits, 'ipv6');
      hasV6 = true;
    }
  }
  // Typed arrays: the bogon rule runs this for every request.
  const v4Networks = Int32Array.from(v4, ([network]) => network);
  const v4Masks = Int32Array.from(v4, ([, mask]) => mask);
  return (values) => {
    for (let i = 0; i < values.length; i++) {
      const raw = values[i] as string;
      const v = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
      const n = ipv4ToInt(v);
      if (n !== null) {
        for (let k = 0; k < v4Networks.length; k++)
          if ((n & (v4Masks[k] as number)) === (v4Networks[k] as number)) return raw;
      } else if (hasV6 && isIPv6(raw) && v6.check(raw, 'ipv6')) return raw;
    }
    return undefined;
  };
}

/**
 * The same networks as a test of one address (the sensors' `trusted_proxies`); null when there
 * are none, so a caller skips the test altogether.
 */
export function cidrPredicate(networks: readonly string[]): ((ip: string) => boolean) | null {
  if (networks.length === 0) return null;
  const test = compileCidr(networks);
  const one = [''];
  return (ip) => {
    one[0] = ip;
    return test(one) !== undefined;
  };
}

/** Dotted-quad IPv4 to an unsigned 32-bit integer, or null when it is not one. */
function ipv4ToInt(text: string): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + part;
}
