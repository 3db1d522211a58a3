import type { z } from 'zod';
import type { crsSection } from './crsSection.js';

/**
 * CRS as bansho runs it, resolved from the file's `crs:` (./crsSection.ts) and the `--crs DIR
 * [--paranoia N]` flags. Apart from the schema so that a command reading no config file loads no zod.
 */
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
