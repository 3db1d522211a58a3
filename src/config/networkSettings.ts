import type { NetworkSettings } from '../detect/network/networkRules.js';
import type { NetworkSection } from './networkSection.js';

/**
 * The built-in settings, then the config's section, then a `--thresholds` file's, each key of a
 * later one over the earlier ones. Apart from the schema (./networkSection.ts) so that a command
 * reading no config file loads no zod.
 */
export function resolveNetwork(
  builtIn: NetworkSettings,
  ...sections: ReadonlyArray<NetworkSection | undefined>
): NetworkSettings {
  const pick = <K extends keyof NetworkSettings>(key: K): NetworkSettings[K] =>
    Object.assign({}, builtIn[key], ...sections.map((s) => withoutUndefined(s?.[key])));
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
