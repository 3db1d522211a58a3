import type { LookupResult } from './rdap/lookup.js';
import { lookupAbuseContact } from './rdap/lookup.js';
import { RdapError } from './rdap/rdapError.js';
import type { AbuseWorkspace } from './workspace.js';

export type ContactOutcome =
  | { readonly kind: 'answer'; readonly result: LookupResult }
  | { readonly kind: 'failed'; readonly error: RdapError };

/** A 429 whose Retry-After is at most this long is waited out within one command. */
const MAX_RETRY_WAIT_MS = 5_000;

/**
 * The abuse contact for `ip` with the workspace's settings; `cacheOnly` answers from the cache
 * (of any age) and never touches the network. Failures are returned, not thrown, so a report
 * can still be written without a recipient.
 */
export async function findContact(
  ws: AbuseWorkspace,
  ip: string,
  options: { refresh?: boolean; cacheOnly?: boolean } = {},
): Promise<ContactOutcome> {
  if (options.cacheOnly) {
    const cached = ws.cache.answer(ip);
    return cached
      ? { kind: 'answer', result: { answer: cached.value, fromCache: true, notes: [] } }
      : { kind: 'failed', error: new RdapError('E_RDAP_OFFLINE', 'not in the cache, and asked not to look it up') };
  }
  const c = ws.config;
  try {
    const result = await lookupAbuseContact(ip, ws.cache, {
      bootstrapUrl: c.rdapBootstrap,
      timeoutMs: c.rdapTimeoutMs,
      deadlineMs: 3 * c.rdapTimeoutMs + MAX_RETRY_WAIT_MS,
      answerMaxAgeMs: c.rdapCacheMs,
      bootstrapMaxAgeMs: c.rdapBootstrapMaxAgeMs,
      maxRetryWaitMs: MAX_RETRY_WAIT_MS,
      refresh: options.refresh ?? false,
    });
    return { kind: 'answer', result };
  } catch (err) {
    if (err instanceof RdapError) return { kind: 'failed', error: err };
    throw err;
  }
}
