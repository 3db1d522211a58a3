import { z } from 'zod';
import { BUILTIN_DEFAULTS_FILE } from '../catalog/paths.js';
import { BEHAVIOUR_NAMES, type BehaviourName, type BehaviourSettings } from '../detect/behaviour/httpBehaviour.js';
import type { NetworkSettings } from '../detect/network/networkRules.js';
import { SEVERITIES } from '../detect/severity.js';
import { ConfigError, readConfigFile } from './configFile.js';
import { networkSettings } from './networkSection.js';

/** The built-in settings: each detector's, every key given. */
export interface BuiltInDefaults {
  readonly network: NetworkSettings;
  readonly behaviours: BehaviourSettings;
}

/** One behaviour's limit as the config schema gives it once read (durations in ms), every key given. */
const behaviourLimit = z
  .strictObject({
    capacity: z.number(),
    leak_speed: z.number(),
    cooldown: z.number(),
    severity: z.enum(SEVERITIES),
    score: z.number(),
  })
  .transform((l) => ({
    capacity: l.capacity,
    leakMs: l.leak_speed,
    cooldownMs: l.cooldown,
    severity: l.severity,
    score: l.score,
  }));

const builtIn = z.strictObject({
  network: networkSettings,
  behaviours: z.strictObject(
    Object.fromEntries(BEHAVIOUR_NAMES.map((name) => [name, behaviourLimit])) as Record<
      BehaviourName,
      typeof behaviourLimit
    >,
  ),
});

/**
 * The built-in settings: src/catalog/defaults.yaml, a config file itself (read and checked as
 * one, so its values are in range), which must give every key of every network detector and
 * behaviour. Read when a policy is built, once per command or gateway start: nothing is kept
 * between. The bundle (`npm run build`) holds instead what the build read here, so the CLI
 * needs neither the YAML parser nor the schemas for it (scripts/build.ts).
 */
export function builtInDefaults(file = BUILTIN_DEFAULTS_FILE): BuiltInDefaults {
  const { network, behaviours } = readConfigFile(file);
  const checked = builtIn.safeParse({ network: network ?? {}, behaviours: behaviours ?? {} });
  if (!checked.success)
    throw new ConfigError(
      `built-in defaults ${file}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return checked.data;
}

/** The network detectors' built-in settings (the `network` section of the built-in file). */
export function builtInNetwork(file = BUILTIN_DEFAULTS_FILE): NetworkSettings {
  return builtInDefaults(file).network;
}

/** The behaviours' built-in limits (the `behaviours` section of the built-in file). */
export function builtInBehaviours(file = BUILTIN_DEFAULTS_FILE): BehaviourSettings {
  return builtInDefaults(file).behaviours;
}
