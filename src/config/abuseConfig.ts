import { z } from 'zod';
import { duration } from './quantities.js';

/**
 * The `abuse:` section of the config file: where RDAP answers come from, who reports, what is
 * withheld from reports, and the SMTP server `bansho abuse --send` uses. Nothing here sends
 * anything by itself: a report goes out only on `--send`.
 */
const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v), { message: 'must be an http:// or https:// URL' });

/** `abuse@example.org` or `Example Web Team <abuse@example.org>`. */
const mailbox = z.string().refine((v) => parseMailbox(v) !== null, {
  message: 'must be an e-mail address, optionally as "Name <address>"',
});

export const abuseSection = z.strictObject({
  /** A bootstrap file replacing IANA's (an RDAP mirror); one file may cover both families. */
  rdap_bootstrap: httpUrl.optional(),
  rdap_timeout: duration.optional(),
  /** How long an RDAP answer is reused before the registry is asked again. */
  rdap_cache_for: duration.optional(),
  /** How old the cached bootstrap file may grow before it is fetched again. */
  rdap_bootstrap_max_age: duration.optional(),
  /** Who reports (replies go there); the SMTP `from` when absent. */
  reporter: mailbox.optional(),
  /** Own addresses, ranges and host names to withhold, besides the site's (listen, upstream, site_names, allowlist). */
  redact: z.array(z.string().min(1)).optional(),
  /** Reports sent per UTC day, at most. */
  daily_cap: z.number().int().min(0).max(10_000).optional(),
  /** How far back a report looks for the source's events. */
  window: duration.optional(),
  /** Evidence lines in one report, at most. */
  evidence_lines: z.number().int().min(1).max(1000).optional(),
  smtp: z
    .strictObject({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).optional(),
      /** `starttls` (default): refuse to send unless the server upgrades; `tls`: TLS from the start (port 465); `none`: a local relay. */
      security: z.enum(['starttls', 'tls', 'none']).optional(),
      user: z.string().min(1).optional(),
      /** The name of the environment variable holding the password, so the file holds none. */
      password_env: z.string().min(1).optional(),
      from: mailbox,
      /** A PEM file of the CA that signed the server's certificate, when it is not a public one. */
      ca: z.string().min(1).optional(),
      timeout: duration.optional(),
    })
    .optional(),
});

export type AbuseSection = z.output<typeof abuseSection>;

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'tls' | 'none';
  readonly auth: { readonly user: string; readonly passwordEnv: string | null } | null;
  readonly from: { readonly name: string | null; readonly email: string };
  readonly caFile: string | null;
  readonly timeoutMs: number;
}

export interface AbuseConfig {
  readonly rdapBootstrap: string | null;
  readonly rdapTimeoutMs: number;
  readonly rdapCacheMs: number;
  readonly rdapBootstrapMaxAgeMs: number;
  readonly reporter: { readonly name: string | null; readonly email: string } | null;
  readonly redact: readonly string[];
  readonly dailyCap: number;
  readonly windowMs: number;
  readonly evidenceLines: number;
  readonly smtp: SmtpConfig | null;
}

const DAY = 86_400_000;

export function resolveAbuseConfig(section: AbuseSection = {}, flags: { rdapBootstrap?: string } = {}): AbuseConfig {
  const s = section.smtp;
  const from = s ? (parseMailbox(s.from) as { name: string | null; email: string }) : null;
  return {
    rdapBootstrap: flags.rdapBootstrap ?? section.rdap_bootstrap ?? null,
    rdapTimeoutMs: section.rdap_timeout ?? 10_000,
    rdapCacheMs: section.rdap_cache_for ?? 7 * DAY,
    rdapBootstrapMaxAgeMs: section.rdap_bootstrap_max_age ?? 7 * DAY,
    reporter: section.reporter ? parseMailbox(section.reporter) : from,
    redact: section.redact ?? [],
    dailyCap: section.daily_cap ?? 10,
    windowMs: section.window ?? 30 * DAY,
    evidenceLines: section.evidence_lines ?? 40,
    smtp:
      s && from
        ? {
            host: s.host,
            port: s.port ?? (s.security === 'tls' ? 465 : 587),
            security: s.security ?? 'starttls',
            auth: s.user ? { user: s.user, passwordEnv: s.password_env ?? null } : null,
            from,
            caFile: s.ca ?? null,
            timeoutMs: s.timeout ?? 30_000,
          }
        : null,
  };
}

/** `Name <a@b.c>` or `a@b.c` → name and address; null when it is neither. */
export function parseMailbox(text: string): { name: string | null; email: string } | null {
  const angle = /^\s*(.*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*$/.exec(text);
  if (angle) return { name: angle[1]?.replace(/^"|"$/g, '') || null, email: angle[2] as string };
  const bare = /^\s*([^<>\s@]+@[^<>\s@]+)\s*$/.exec(text);
  return bare ? { name: null, email: bare[1] as string } : null;
}
