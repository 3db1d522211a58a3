import { CidrError, CidrSet } from '../../observe/cidrSet.js';
import type { ValueTest } from './types.js';

export { CidrError };

/** `cidr`: some value is an address inside one of the networks (see ../../observe/cidrSet.ts). */
export function compileCidr(networks: readonly string[]): ValueTest {
  const set = new CidrSet(networks);
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
