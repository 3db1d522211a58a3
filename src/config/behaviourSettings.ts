import { BEHAVIOUR_NAMES, type BehaviourLimit, type BehaviourSettings } from '../detect/behaviour/httpBehaviour.js';
import type { ConfigFile } from './schema.js';

/**
 * The config file's `behaviours` over the built-in limits (src/catalog/defaults.yaml, read by
 * ./builtInDefaults.ts): what a site switched off or retuned.
 */
export function resolveBehaviours(builtIn: BehaviourSettings, file: ConfigFile['behaviours']): BehaviourSettings {
  const settings = { ...builtIn } as Record<keyof BehaviourSettings, BehaviourLimit | null>;
  for (const name of BEHAVIOUR_NAMES) {
    const given = file?.[name];
    const base = builtIn[name];
    if (given === undefined || given === true || base === null) continue;
    settings[name] =
      given === false
        ? null
        : {
            capacity: given.capacity ?? base.capacity,
            leakMs: given.leak_speed ?? base.leakMs,
            cooldownMs: given.cooldown ?? base.cooldownMs,
            severity: given.severity ?? base.severity,
            score: given.score ?? base.score,
          };
  }
  return settings;
}
