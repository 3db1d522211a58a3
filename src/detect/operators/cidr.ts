import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ValueTest } from './types.js';

export class CidrError extends Error {
  readonly code = 'E_CIDR';
}

/** `cidr`: some value is an address inside one of the networks (IPv4, IPv6, IPv4-mapped IPv6). */
export function compileCidr(networks: readonly string[]): ValueTest {
  const list = new BlockList();
  for (const network of networks) {
    const [address = '', bitsText] = network.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (family === null) throw new CidrError(`not an IP network: ${network}`);
    const max = family === 'ipv4' ? 32 : 128;
    const bits = bitsText === undefined ? max : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > max) throw new CidrError(`bad prefix length: ${network}`);
    list.addSubnet(address, bits, family);
  }
  return (values) => {
    for (const raw of values) {
      const v = raw.startsWith('::ffff:') && isIPv4(raw.slice(7)) ? raw.slice(7) : raw;
      const family = isIPv4(v) ? 'ipv4' : isIPv6(v) ? 'ipv6' : null;
      if (family !== null && list.check(v, family)) return raw;
    }
    return undefined;
  };
}
