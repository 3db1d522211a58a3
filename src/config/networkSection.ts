import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../detect/severity.js';

const weight = { severity: z.enum(SEVERITIES), score: z.number().min(0).max(1000) };
/** A finding's severity and score, each optional, as the behaviours' settings take them too. */
export const findingWeight = { severity: weight.severity.optional(), score: weight.score.optional() };
const seconds = z.number().positive();
const cooldown = z.number().nonnegative();
const atLeastTwo = z.number().int().min(2);
const positive = z.number().int().positive();
const ports = z.array(z.number().int().min(1).max(65_535)).min(1);

/** Each detector's settings, every key given: what the built-in defaults (src/catalog/defaults.yaml) must hold. */
const detectors = {
  portScan: z.strictObject({
    ...weight,
    windowSeconds: seconds,
    ports: positive,
    hosts: positive,
    stealthPorts: positive,
    cooldownSeconds: cooldown,
  }),
  synFlood: z.strictObject({
    ...weight,
    windowSeconds: seconds,
    syns: positive,
    globalSyns: positive,
    globalSources: positive,
    maxCompletedShare: z.number().min(0).max(1),
    cooldownSeconds: cooldown,
  }),
  sshBruteForce: z.strictObject({
    ...weight,
    ports,
    connections: atLeastTwo,
    windowSeconds: seconds,
    cooldownSeconds: cooldown,
  }),
  loginGuessing: z.strictObject({
    ...weight,
    failures: atLeastTwo,
    windowSeconds: seconds,
    cooldownSeconds: cooldown,
  }),
};

/** The network section complete, as the built-in defaults give it. */
export const networkSettings = z.strictObject(detectors);

/**
 * The config file's `network` section: the monitor's network detectors, each key optional over
 * the built-in value (src/catalog/defaults.yaml). `monitor --thresholds FILE` reads a file
 * holding just this section (the keys are those of that older file).
 */
export const networkSection = z.strictObject({
  portScan: detectors.portScan.partial().optional(),
  synFlood: detectors.synFlood.partial().optional(),
  sshBruteForce: detectors.sshBruteForce.partial().optional(),
  loginGuessing: detectors.loginGuessing.partial().optional(),
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
