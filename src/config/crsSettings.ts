import { z } from 'zod';

/**
 * `crs:` in the config file: run the OWASP Core Rule Set beside bansho's packs, in the gateway,
 * `analyze`, `monitor` and `rules test` alike. Users bring CRS as a release directory or
 * Debian's `modsecurity-crs` (/usr/share/modsecurity-crs).
 */
export const crsSection = z.strictObject({
  /** A CRS release directory (with rules/), or /usr/share/modsecurity-crs. */
  dir: z.string().min(1),
  /** tx.blocking_paranoia_level: rules up to this level count towards blocking. */
  paranoia_level: z.number().int().min(1).max(4).optional(),
  /** tx.detection_paranoia_level: rules up to this level run and log (≥ paranoia_level). */
  detection_paranoia_level: z.number().int().min(1).max(4).optional(),
  /** CRS's inbound anomaly threshold (default 5: one critical match). */
  inbound_threshold: z.number().int().min(1).max(10_000).optional(),
  /** The gateway's answer to a request CRS blocks. */
  block_status: z.number().int().min(400).max(599).optional(),
  /** crs-setup.conf to read instead of the one in `dir` (Debian keeps it in /etc/modsecurity/crs/). */
  setup_file: z.string().min(1).optional(),
  /** Exclusions in SecLang, as CRS documents them (`SecRuleRemoveById 920350`, ctl:ruleRemoveTargetById …). */
  exclusions: z.array(z.string()).optional(),
});

/** CRS as bansho runs it, resolved from the file and the `--crs DIR [--paranoia N]` flags. */
export interface CrsSettings {
  readonly dir: string;
  readonly paranoiaLevel: number;
  readonly detectionParanoiaLevel: number;
  readonly inboundThreshold: number | null;
  readonly blockStatus: number;
  readonly setupFile: string | null;
  readonly exclusions: readonly string[];
}

/** `--crs DIR` and `--paranoia N`, as commander hands them over. */
export interface CrsFlags {
  readonly crs?: string;
  readonly paranoia?: string;
}

export class CrsSettingsError extends Error {
  readonly code = 'E_CONFIG';
}

/** Flags over the file; null when neither asks for CRS. */
export function resolveCrs(section: z.infer<typeof crsSection> | undefined, flags: CrsFlags = {}): CrsSettings | null {
  const dir = flags.crs ?? section?.dir;
  if (dir === undefined) {
    if (flags.paranoia !== undefined)
      throw new CrsSettingsError('--paranoia goes with --crs DIR (or crs.dir in the config)');
    return null;
  }
  const paranoiaLevel = flags.paranoia === undefined ? (section?.paranoia_level ?? 1) : paranoiaFlag(flags.paranoia);
  const detection = Math.max(section?.detection_paranoia_level ?? paranoiaLevel, paranoiaLevel);
  return {
    dir,
    paranoiaLevel,
    detectionParanoiaLevel: detection,
    inboundThreshold: section?.inbound_threshold ?? null,
    blockStatus: section?.block_status ?? 403,
    setupFile: section?.setup_file ?? null,
    exclusions: section?.exclusions ?? [],
  };
}

function paranoiaFlag(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new CrsSettingsError(`--paranoia ${text}: a level from 1 to 4`);
  return n;
}
