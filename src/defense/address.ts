import { isIPv4, isIPv6 } from 'node:net';
import { formatIPv6, unmapIPv4 } from '../observe/ipText.js';
import { sourceNetwork } from '../observe/sourceNetwork.js';

export { unmapIPv4 };

/**
 * Source addresses as the ban list keys them: an IPv4 address as itself, an IPv6 address by
 * its /64 (one subscriber's LAN gets a whole /64, so banning a single v6 address bans nothing).
 */

export class AddressError extends Error {
  readonly code = 'E_ADDRESS';
}

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail expanded). */
export function ipv6Groups(ip: string): number[] {
  let text = ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const dot = text.lastIndexOf('.');
  if (dot >= 0) {
    const colon = text.lastIndexOf(':');
    const v4 = ipv4Octets(text.slice(colon + 1));
    text = `${text.slice(0, colon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new AddressError(`not an IPv6 address: ${ip}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) throw new AddressError(`not an IPv6 address: ${ip}`);
  const groups = [...head, ...new Array<string>(missing).fill('0'), ...tail].map((g) => Number.parseInt(g, 16));
  if (groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff))
    throw new AddressError(`not an IPv6 address: ${ip}`);
  return groups;
}

function ipv4Octets(ip: string): [number, number, number, number] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new AddressError(`not an IPv4 address: ${ip}`);
  return parts as [number, number, number, number];
}

/** The /64 an IPv6 address belongs to, as the ban list's key: `2001:db8:1:2::/64`. */
export function ipv6Prefix64(ip: string): string {
  if (!isIPv6(ip)) throw new AddressError(`not an IPv6 address: ${ip}`);
  return sourceNetwork(ip) as string;
}

/**
 * The ban target covering one source address: `a.b.c.d/32` or the IPv6 /64 (see
 * observe/sourceNetwork.ts). Accepts a CIDR too (`bansho bans add 2001:db8::/48` bans exactly
 * what it names).
 */
export function banTargetFor(address: string): string {
  if (address.indexOf('/') >= 0) return normaliseCidr(address);
  const network = sourceNetwork(address);
  if (network === null) throw new AddressError(`not an IP address: ${address}`);
  return network;
}

/** `10.1.2.3/8` → `10.0.0.0/8`; IPv6 likewise, in the short form the ban list uses. */
export function normaliseCidr(cidr: string): string {
  const [addr = '', bitsText = ''] = cidr.trim().split('/');
  const bits = Number(bitsText);
  const ip = unmapIPv4(addr);
  if (isIPv4(ip)) {
    if (!/^\d{1,2}$/.test(bitsText) || bits > 32) throw new AddressError(`bad prefix length in ${cidr}`);
    const n = ipv4ToNumber(ip);
    const masked = bits === 0 ? 0 : (n & (0xffffffff << (32 - bits))) >>> 0;
    return `${numberToIPv4(masked)}/${bits}`;
  }
  if (isIPv6(ip)) {
    if (!/^\d{1,3}$/.test(bitsText) || bits > 128) throw new AddressError(`bad prefix length in ${cidr}`);
    const g = ipv6Groups(ip).map((x, i) => {
      const keep = Math.max(0, Math.min(16, bits - i * 16));
      return keep === 0 ? 0 : x & ((0xffff << (16 - keep)) & 0xffff);
    });
    if (bits === 64)
      return `${g
        .slice(0, 4)
        .map((x) => x.toString(16))
        .join(':')}::/64`;
    return `${formatIPv6(g)}/${bits}`;
  }
  throw new AddressError(`not a CIDR: ${cidr}`);
}

export function ipv4ToNumber(ip: string): number {
  const o = ipv4Octets(ip);
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

function numberToIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
