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
