import { isIPv4 } from 'node:net';
import { CidrSet } from '../observe/cidrSet.js';
import { AddressError, normaliseCidr, unmapIPv4 } from './address.js';
import { coveredBy } from './banList.js';

/** CIDRs that are never banned (the admin's own networks, monitoring, the load balancer). */
export class Allowlist {
  readonly #set: CidrSet;
  readonly cidrs: readonly string[];

  constructor(cidrs: readonly string[]) {
    const normalised: string[] = [];
    for (const raw of cidrs) {
      const cidr = raw.includes('/') ? raw : `${raw}/${isIPv4(unmapIPv4(raw)) ? 32 : 128}`;
      normalised.push(normaliseCidr(cidr));
    }
    this.cidrs = normalised;
    this.#set = new CidrSet(normalised);
  }

  /** True when the address lies in an allowlisted CIDR. Never throws on odd input. */
  has(address: string): boolean {
    return this.cidrs.length > 0 && this.#set.has(address);
  }

  /**
   * The allowlisted CIDR a ban on `target` (a normalised CIDR) would touch, or null: one that
   * holds the target's network, or one inside the target (a /64 ban must not shut out an
   * allowlisted host in it).
   */
  overlapping(target: string): string | null {
    if (this.cidrs.length === 0) return null;
    const net = target.split('/')[0] as string;
    for (const cidr of this.cidrs) {
      const inside = cidr.split('/')[0] as string;
      if (isIPv4(net) !== isIPv4(inside)) continue;
      if (coveredBy(net, cidr) || coveredBy(inside, target)) return cidr;
    }
    return null;
  }
}

export { AddressError };
