import {
  BEHAVIOUR_NAMES,
  type BehaviourLimit,
  type BehaviourSettings,
  DEFAULT_BEHAVIOURS,
} from '../detect/behaviour/httpBehaviour.js';
import type { ConfigFile } from './schema.js';

/** The config file's `behaviours` over the built-in limits: what a site switched off or retuned. */
export function resolveBehaviours(file: ConfigFile['behaviours']): BehaviourSettings {
  const settings = { ...DEFAULT_BEHAVIOURS } as Record<keyof BehaviourSettings, BehaviourLimit | null>;
  for (const name of BEHAVIOUR_NAMES) {
    const given = file?.[name];
    const builtIn = DEFAULT_BEHAVIOURS[name] as BehaviourLimit;
    if (given === undefined || given === true) continue;
    settings[name] =
      given === false
        ? null
        : {
            capacity: given.capacity ?? builtIn.capacity,
            leakMs: given.leak_speed ?? builtIn.leakMs,
            cooldownMs: given.cooldown ?? builtIn.cooldownMs,
            severity: given.severity ?? builtIn.severity,
            score: given.score ?? builtIn.score,
          };
  }
  return settings;
}
