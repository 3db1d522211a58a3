import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { ipv4Int } from './ipText.js';

export class CidrError extends Error {
  readonly code = 'E_CIDR';
}

/**
 * A set of networks (IPv4 and IPv6 CIDRs, or single addresses) that answers one question fast:
 * does it hold this address? IPv4 — nearly every request — is checked with integer masks in
 * JavaScript; IPv6 goes to node's BlockList; IPv4-mapped IPv6 addresses count as IPv4. The one
 * implementation behind the rules' `cidr` operator, `allowlist` and `trusted_proxies`.
 */
export class CidrSet {
  readonly size: number;
  readonly #v4Networks: Int32Array;
  readonly #v4Masks: Int32Array;
  /** Built at the first IPv6 address asked about, when the networks were checked before. */
  #v6: BlockList | null = null;
  readonly #v6Subnets: Array<[address: string, bits: number]> = [];

  /**
   * Throws CidrError naming the first network that is not one. `validated`: the networks were
   * checked before (compiled rules), so an IPv6 one is taken as such unchecked and node's IPv6
   * parser and BlockList are left until an IPv6 address is asked about.
   */
  constructor(networks: readonly string[], validated = false) {
    const v4: Array<[network: number, mask: number]> = [];
    for (const network of networks) {
      const [raw = '', bitsText] = network.trim().split('/');
      const address = raw.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
      const family = isIPv4(address) ? 'ipv4' : validated || isIPv6(address) ? 'ipv6' : null;
      if (family === null) throw new CidrError(`not an IP network: ${network}`);
      const max = family === 'ipv4' ? 32 : 128;
      const bits = bitsText === undefined ? max : Number(bitsText);
      if (!/^\d*$/.test(bitsText ?? '') || !Number.isInteger(bits) || bits < 0 || bits > max)
        throw new CidrError(`bad prefix length: ${network}`);
      if (family === 'ipv4') {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        v4.push([(ipv4Int(address) as number) & mask, mask]);
      } else this.#v6Subnets.push([address, bits]);
    }
    if (!validated) this.#blockList();
    // Typed arrays: the bogon rule runs this for every request.
    this.#v4Networks = Int32Array.from(v4, ([network]) => network);
    this.#v4Masks = Int32Array.from(v4, ([, mask]) => mask);
    this.size = networks.length;
  }

  /** Does a network of the set hold `address`? False for anything that is no address. */
  has(address: string): boolean {
    const v = address.startsWith('::ffff:') ? address.slice(7) : address;
    const n = ipv4Int(v);
    if (n !== undefined) {
      for (let k = 0; k < this.#v4Networks.length; k++)
        if ((n & (this.#v4Masks[k] as number)) === (this.#v4Networks[k] as number)) return true;
      return false;
    }
    return this.#v6Subnets.length > 0 && isIPv6(address) && this.#blockList().check(address, 'ipv6');
  }

  #blockList(): BlockList {
    if (this.#v6 !== null) return this.#v6;
    const list = new BlockList();
    for (const [address, bits] of this.#v6Subnets) list.addSubnet(address, bits, 'ipv6');
    this.#v6 = list;
    return list;
  }
}
