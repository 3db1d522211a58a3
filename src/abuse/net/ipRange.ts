import { isIPv4, isIPv6 } from 'node:net';
import { ipv6Groups } from '../../defense/address.js';

/** An inclusive range of addresses of one family, as numbers: a CIDR or an RDAP start/end pair. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
}

export class IpRangeError extends Error {
  readonly code = 'E_IP_RANGE';
}

/** The family and numeric value of an address, or null when it is not one. */
export function ipNumber(ip: string): { family: 4 | 6; value: bigint } | null {
  if (isIPv4(ip)) {
    const value = ip.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(ip)) {
    const value = ipv6Groups(ip).reduce((n, group) => (n << 16n) | BigInt(group), 0n);
    return { family: 6, value };
  }
  return null;
}

/** `192.0.2.0/24`, `2001:db8::/32`. Throws IpRangeError on anything else. */
export function cidrRange(cidr: string): IpRange {
  const [address = '', bitsText = ''] = cidr.trim().split('/');
  const ip = ipNumber(address);
  const width = ip?.family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (!ip || !/^\d{1,3}$/.test(bitsText) || bits > width) throw new IpRangeError(`not a CIDR: "${cidr}"`);
  const hostBits = BigInt(width - bits);
  const start = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, start, end: start + (1n << hostBits) - 1n };
}

/** RDAP's startAddress/endAddress pair. Throws IpRangeError when either is not an address. */
export function addressRange(startAddress: string, endAddress: string): IpRange {
  const start = ipNumber(startAddress);
  const end = ipNumber(endAddress);
  if (!start || !end || start.family !== end.family || end.value < start.value)
    throw new IpRangeError(`not an address range: ${startAddress} - ${endAddress}`);
  return { family: start.family, start: start.value, end: end.value };
}

export function rangeContains(range: IpRange, ip: string): boolean {
  const n = ipNumber(ip);
  return n !== null && n.family === range.family && n.value >= range.start && n.value <= range.end;
}

/** How many addresses a range holds: the smaller, the more specific. */
export function rangeSize(range: IpRange): bigint {
  return range.end - range.start + 1n;
}
