import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** Thresholds of the stateful network detectors: data, overridable from a YAML file. */
export const ThresholdsSchema = z
  .object({
    portScan: z
      .object({
        /** Sliding window, seconds. */
        windowSeconds: z.number().positive(),
        /** Distinct ports probed on one host (vertical scan). */
        ports: z.number().int().positive(),
        /** Distinct hosts probed (horizontal sweep). */
        hosts: z.number().int().positive(),
        /**
         * Distinct ports on one host when the probes are FIN, NULL or Xmas: segments no real
         * TCP stack sends, so a handful is already a scan.
         */
        stealthPorts: z.number().int().positive(),
        /** Seconds before the same source is reported again. */
        cooldownSeconds: z.number().nonnegative(),
      })
      .strict(),
    synFlood: z
      .object({
        windowSeconds: z.number().positive(),
        /** SYNs to one destination (address and port) in the window. */
        syns: z.number().int().positive(),
        /** SYNs to anywhere in the window, from spoofed sources to spoofed or many destinations. */
        globalSyns: z.number().int().positive(),
        /** Distinct sources among them, for the global rule (one busy client is no flood). */
        globalSources: z.number().int().positive(),
        /** At most this share of them may complete the handshake. */
        maxCompletedShare: z.number().min(0).max(1),
        cooldownSeconds: z.number().nonnegative(),
      })
      .strict(),
    sshBruteForce: z
      .object({
        /** Connection attempts from one source to one SSH server that make a finding… */
        connections: z.number().int().min(2),
        /** …when they come faster than this many per this window (a leaky bucket). */
        windowSeconds: z.number().positive(),
        cooldownSeconds: z.number().nonnegative(),
      })
      .strict(),
    loginGuessing: z
      .object({
        /** Failed-login replies (FTP 530, SMTP 535, POP3, IMAP, MySQL 1045, PostgreSQL 28P01) to one source from one server that make a finding… */
        failures: z.number().int().min(2),
        /** …when they come faster than this many per this window (a leaky bucket). */
        windowSeconds: z.number().positive(),
        cooldownSeconds: z.number().nonnegative(),
      })
      .strict(),
  })
  .strict();

export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = {
  portScan: { windowSeconds: 60, ports: 20, hosts: 20, stealthPorts: 3, cooldownSeconds: 300 },
  synFlood: {
    windowSeconds: 10,
    syns: 100,
    globalSyns: 100,
    globalSources: 50,
    maxCompletedShare: 0.2,
    cooldownSeconds: 60,
  },
  sshBruteForce: { connections: 10, windowSeconds: 60, cooldownSeconds: 300 },
  // fail2ban's defaults: 5 failures within 10 minutes.
  loginGuessing: { failures: 5, windowSeconds: 600, cooldownSeconds: 600 },
};

export class ThresholdsError extends Error {
  readonly code = 'E_THRESHOLDS';
}

/** Read thresholds from YAML (`portScan: {ports: 30}` …); missing keys keep their defaults. */
export function loadThresholds(file: string): Thresholds {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ThresholdsError(`${file}: ${(err as Error).message}`);
  }
  const d = (doc ?? {}) as Record<string, Record<string, unknown>>;
  const merged = {
    portScan: { ...DEFAULT_THRESHOLDS.portScan, ...(d.portScan ?? {}) },
    synFlood: { ...DEFAULT_THRESHOLDS.synFlood, ...(d.synFlood ?? {}) },
    sshBruteForce: { ...DEFAULT_THRESHOLDS.sshBruteForce, ...(d.sshBruteForce ?? {}) },
    loginGuessing: { ...DEFAULT_THRESHOLDS.loginGuessing, ...(d.loginGuessing ?? {}) },
  };
  const r = ThresholdsSchema.safeParse(merged);
  if (!r.success)
    throw new ThresholdsError(`${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
