/** How many queries a registry takes per minute. */
export interface HostLimit {
  readonly perMinute: number;
  /** Where the number comes from, for the message when it holds a query back. */
  readonly source: string;
}

/**
 * The registries' own limits. LACNIC publishes its limit in every answer's notices ("Rate Limit
 * is maxed at 10 queries per 1 minutes"); the other RIRs publish no number for RDAP and answer
 * 429 when pushed, which bansho honours (see `admit`). Abuse lookups are rare, so a modest
 * default pace costs nothing.
 */
const PUBLISHED: Readonly<Record<string, HostLimit>> = {
  'rdap.lacnic.net': { perMinute: 10, source: "LACNIC's published limit" },
};

const DEFAULT_LIMIT: HostLimit = { perMinute: 30, source: "bansho's default pace for a registry" };

export function limitFor(host: string, announced: HostLimit | null): HostLimit {
  return announced ?? PUBLISHED[host.toLowerCase()] ?? DEFAULT_LIMIT;
}

/** A limit a registry states in its answer's notices, as LACNIC does; null when it states none. */
export function announcedLimit(json: unknown): HostLimit | null {
  const notices = (json as { notices?: unknown } | null)?.notices;
  if (!Array.isArray(notices)) return null;
  for (const n of notices) {
    const description = (n as { description?: unknown } | null)?.description;
    const lines = Array.isArray(description) ? description.filter((d) => typeof d === 'string') : [];
    for (const line of lines) {
      const m = /rate limit[^0-9]*(\d+)\s+quer(?:y|ies)\s+per\s+(\d+)?\s*minutes?/i.exec(line as string);
      if (m) {
        const perMinute = Number(m[1]) / Number(m[2] ?? 1);
        if (perMinute > 0) return { perMinute, source: 'the limit the registry announces' };
      }
    }
  }
  return null;
}

export type Admission =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAt: number; readonly reason: string };

/**
 * May a query go to `host` now? Not while a 429's Retry-After runs (`notBefore`), nor when the
 * last minute already holds `limit.perMinute` queries. `recent` are the times of queries sent.
 */
export function admit(
  host: string,
  recent: readonly number[],
  limit: HostLimit,
  notBefore: { at: number; reason: string } | null,
  now: number,
): Admission {
  if (notBefore && notBefore.at > now) return { ok: false, retryAt: notBefore.at, reason: notBefore.reason };
  const window = recent.filter((t) => t > now - 60_000).sort((a, b) => a - b);
  if (window.length >= limit.perMinute) {
    const retryAt = (window[window.length - Math.floor(limit.perMinute)] ?? now) + 60_000;
    return {
      ok: false,
      retryAt,
      reason: `${host} takes ${limit.perMinute} queries a minute (${limit.source}) and had them`,
    };
  }
  return { ok: true };
}
