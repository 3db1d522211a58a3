import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../detect/severity.js';

/** A finding's severity and score, as the behaviours' settings take them too. */
export const findingWeight = { severity: z.enum(SEVERITIES).optional(), score: z.number().min(0).max(1000).optional() };
const seconds = z.number().positive();
const cooldown = z.number().nonnegative();
const atLeastTwo = z.number().int().min(2);
const positive = z.number().int().positive();

/**
 * The config file's `network` section: the monitor's network detectors, each key optional over
 * the built-in value (src/detect/network/networkRules.ts). `monitor --thresholds FILE` reads a
 * file holding just this section (the keys are those of that older file).
 */
export const networkSection = z.strictObject({
  portScan: z
    .strictObject({
      ...findingWeight,
      windowSeconds: seconds.optional(),
      ports: positive.optional(),
      hosts: positive.optional(),
      stealthPorts: positive.optional(),
      cooldownSeconds: cooldown.optional(),
    })
    .optional(),
  synFlood: z
    .strictObject({
      ...findingWeight,
      windowSeconds: seconds.optional(),
      syns: positive.optional(),
      globalSyns: positive.optional(),
      globalSources: positive.optional(),
      maxCompletedShare: z.number().min(0).max(1).optional(),
      cooldownSeconds: cooldown.optional(),
    })
    .optional(),
  sshBruteForce: z
    .strictObject({
      ...findingWeight,
      connections: atLeastTwo.optional(),
      windowSeconds: seconds.optional(),
      cooldownSeconds: cooldown.optional(),
    })
    .optional(),
  loginGuessing: z
    .strictObject({
      ...findingWeight,
      failures: atLeastTwo.optional(),
      windowSeconds: seconds.optional(),
      cooldownSeconds: cooldown.optional(),
    })
    .optional(),
});

export type NetworkSection = z.infer<typeof networkSection>;

export class ThresholdsError extends Error {
  readonly code = 'E_THRESHOLDS';
}

/** A `--thresholds` file: YAML holding a `network` section (`portScan: {ports: 30}` …). */
export function readThresholdsFile(file: string): NetworkSection {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ThresholdsError(`${file}: ${(err as Error).message}`);
  }
  const r = networkSection.safeParse(doc ?? {});
  if (!r.success)
    throw new ThresholdsError(`${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
