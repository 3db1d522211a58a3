import { CidrError, CidrSet } from '../../observe/cidrSet.js';
import type { ValueTest } from './types.js';

export { CidrError };

/**
 * `cidr`: some value is an address inside one of the networks (see ../../observe/cidrSet.ts).
 * `validated`: the networks are known to be good (rules compiled before), so IPv6 ones are not
 * checked again (see CidrSet).
 */
export function compileCidr(networks: readonly string[], validated = false): ValueTest {
  const set = new CidrSet(networks, validated);
  return (values) => {
    for (let i = 0; i < values.length; i++) if (set.has(values[i] as string)) return values[i];
    return undefined;
  };
}

/**
 * The same networks as a test of one address (the sensors' `trusted_proxies`); null when there
 * are none, so a caller skips the test altogether.
 */
export function cidrPredicate(networks: readonly string[]): ((ip: string) => boolean) | null {
  if (networks.length === 0) return null;
  const set = new CidrSet(networks);
  return (ip) => set.has(ip);
}
