import { DEFAULT_NETWORK, type NetworkSettings } from '../detect/network/networkRules.js';
import type { NetworkSection } from './networkSection.js';

/**
 * The section (and a `--thresholds` file's, which wins where both set a key) over the built-in
 * settings. Apart from the schema (./networkSection.ts) so that a command reading no config
 * file loads no zod.
 */
export function resolveNetwork(...sections: ReadonlyArray<NetworkSection | undefined>): NetworkSettings {
  const pick = <K extends keyof NetworkSettings>(key: K): NetworkSettings[K] =>
    Object.assign({}, DEFAULT_NETWORK[key], ...sections.map((s) => withoutUndefined(s?.[key])));
  return {
    portScan: pick('portScan'),
    synFlood: pick('synFlood'),
    sshBruteForce: pick('sshBruteForce'),
    loginGuessing: pick('loginGuessing'),
  };
}

function withoutUndefined(o: object | undefined): object {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
}
