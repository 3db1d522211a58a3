import { BUILTIN_DEFAULTS_FILE } from '../catalog/paths.js';
import type { NetworkSettings } from '../detect/network/networkRules.js';
import { ConfigError, readConfigFile } from './configFile.js';
import { networkSettings } from './networkSection.js';

/**
 * The network detectors' built-in settings: the `network` section of src/catalog/defaults.yaml,
 * a config file itself (read and checked as one), which must give every key of every detector.
 * Read when a policy is built, once per command or gateway start: nothing is kept between. The
 * bundle (`npm run build`) holds instead what the build read here, so the CLI needs neither the
 * YAML parser nor the schemas for it (scripts/build.ts).
 */
export function builtInNetwork(file = BUILTIN_DEFAULTS_FILE): NetworkSettings {
  const section = readConfigFile(file).network;
  const checked = networkSettings.safeParse(section ?? {});
  if (!checked.success)
    throw new ConfigError(
      `built-in defaults ${file}: ${checked.error.issues.map((i) => `network.${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return checked.data;
}
