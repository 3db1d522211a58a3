import { ipNumber } from '../net/ipRange.js';
import type { RdapCache } from '../store/rdapCache.js';
import type { AbuseAnswer } from './abuseAnswer.js';
import { findAbuseEntity } from './abuseEntity.js';
import { serversFor } from './bootstrap.js';
import { loadBootstrap } from './bootstrapSource.js';
import { type FetchRdap, fetchRdap } from './fetchRdap.js';
import { readIpNetwork, referralOf } from './ipNetwork.js';
import { admit, announcedLimit, limitFor } from './rateLimit.js';
import { RdapError } from './rdapError.js';

export interface LookupOptions {
  /** A replacement for IANA's bootstrap files (`--rdap-bootstrap`, `abuse.rdap_bootstrap`). */
  readonly bootstrapUrl: string | null;
  /** For each HTTP exchange. */
  readonly timeoutMs: number;
  /** For the whole lookup, referrals and a Retry-After pause included. */
  readonly deadlineMs: number;
  readonly answerMaxAgeMs: number;
  readonly bootstrapMaxAgeMs: number;
  /** A 429 whose Retry-After is no longer than this is waited out once; a longer one ends the lookup. */
  readonly maxRetryWaitMs: number;
  /** Ask the registry even when a fresh answer is cached. */
  readonly refresh?: boolean;
  readonly fetch?: FetchRdap;
  readonly now?: () => number;
}

export interface LookupResult {
  readonly answer: AbuseAnswer;
  readonly fromCache: boolean;
  /** Things worth telling the person who asked (a stale bootstrap file, a referral). */
  readonly notes: readonly string[];
}

/** Registries refer a query on once or twice; more is a loop or a hostile server. */
const MAX_HOPS = 5;

/**
 * Who handles abuse for `ip`, by RDAP: the bootstrap file names the registry, its answer may
 * refer (HTTP redirect, or a `related` link) to another registry, and the last answer's abuse
 * entity is the contact. Every registry's pace is kept (its limit, a 429's Retry-After), the
 * whole lookup ends by `deadlineMs`, and answers are cached. Throws RdapError when no answer
 * can be had; "no abuse contact" is an answer.
 */
export async function lookupAbuseContact(ip: string, cache: RdapCache, options: LookupOptions): Promise<LookupResult> {
  const now = options.now ?? Date.now;
  const fetch = options.fetch ?? fetchRdap;
  const family = ipNumber(ip)?.family;
  if (family === undefined) throw new RdapError('E_RDAP_BAD_ANSWER', `not an IP address: ${ip}`);
  const cached = cache.answer(ip);
  if (cached && !options.refresh && now() - cached.fetchedAt < options.answerMaxAgeMs)
    return { answer: cached.value, fromCache: true, notes: [] };

  const deadline = now() + options.deadlineMs;
  const remaining = () => Math.max(1, Math.min(options.timeoutMs, deadline - now()));
  const notes: string[] = [];
  const bootstrap = await loadBootstrap(
    family,
    cache,
    {
      override: options.bootstrapUrl,
      maxAgeMs: options.bootstrapMaxAgeMs,
      timeoutMs: remaining(),
      fetch,
      now,
    },
    notes,
  );
  const servers = serversFor(bootstrap, ip);
  if (!servers?.[0]) {
    const answer: AbuseAnswer = { kind: 'no-registry', ip, fetchedAt: now() };
    cache.putAnswer(answer);
    return { answer, fromCache: false, notes: [...notes, 'the bootstrap file names no registry for this address'] };
  }

  const via: string[] = [];
  let url = `${servers[0]}ip/${ip}`;
  let waited = false;
  for (;;) {
    if (via.includes(url))
      throw new RdapError('E_RDAP_REFERRALS', `referrals went round in a circle: ${via.join(' → ')} → ${url}`);
    if (via.length >= MAX_HOPS)
      throw new RdapError('E_RDAP_REFERRALS', `more than ${MAX_HOPS} referrals: ${via.join(' → ')}`);
    if (now() >= deadline)
      throw new RdapError(
        'E_RDAP_TIMEOUT',
        `no answer within ${options.deadlineMs / 1000} s (asked: ${via.join(' → ')})`,
      );
    const host = new URL(url).host;
    const pace = cache.pace(host, now());
    const admission = admit(host, pace.recent, limitFor(host, pace.announced), pace.notBefore, now());
    if (!admission.ok)
      throw new RdapError(
        'E_RDAP_RATE_LIMITED',
        `not asking ${host} now: ${admission.reason}; try again after ${isoSecond(admission.retryAt)}`,
        admission.retryAt,
      );
    cache.recordQuery(host, now());
    const result = await fetch(url, remaining());

    if (result.kind === 'rate-limited') {
      const waitMs = result.retryAfterMs ?? 60_000;
      const retryAt = now() + waitMs;
      cache.holdBack(host, retryAt, `${host} answered 429 Too Many Requests`);
      if (!waited && waitMs <= options.maxRetryWaitMs && retryAt < deadline) {
        // A short Retry-After is honoured by waiting it out, once.
        waited = true;
        // Measured on the wall clock, in a loop: a timer may fire a millisecond early.
        const resume = Date.now() + waitMs;
        while (Date.now() < resume) await new Promise((resolve) => setTimeout(resolve, resume - Date.now()));
        continue;
      }
      throw new RdapError(
        'E_RDAP_RATE_LIMITED',
        `${host} answered 429 Too Many Requests${result.retryAfterMs === null ? '' : ` and asks for ${Math.ceil(waitMs / 1000)} s`}; try again after ${isoSecond(retryAt)}`,
        retryAt,
      );
    }
    via.push(url);
    if (result.kind === 'redirect') {
      notes.push(`${host} referred the query to ${new URL(result.location).host}`);
      url = result.location;
      continue;
    }
    if (result.kind === 'not-found') {
      const answer: AbuseAnswer = { kind: 'no-registry', ip, fetchedAt: now() };
      cache.putAnswer(answer);
      return { answer, fromCache: false, notes: [...notes, `${host} holds no network for this address (404)`] };
    }
    const announced = announcedLimit(result.json);
    if (announced) cache.setAnnouncedLimit(host, announced.perMinute);
    const network = readIpNetwork(result.json, url);
    const referral = referralOf(result.json, url);
    if (referral) {
      notes.push(`${host} referred the query to ${new URL(referral).host}`);
      url = referral;
      continue;
    }
    const answer = answerOf(ip, result.json, network, url, via, now());
    cache.putAnswer(answer);
    return { answer, fromCache: false, notes };
  }
}

function answerOf(
  ip: string,
  json: unknown,
  network: ReturnType<typeof readIpNetwork>,
  url: string,
  via: readonly string[],
  fetchedAt: number,
): AbuseAnswer {
  const entity = findAbuseEntity(json);
  const source = { url, via: [...via], fetchedAt };
  const [email, ...otherEmails] = entity?.emails ?? [];
  if (entity && email)
    return {
      kind: 'contact',
      ip,
      email,
      otherEmails,
      contactName: entity.name ?? entity.org,
      contactHandle: entity.handle,
      network,
      ...source,
    };
  return { kind: 'no-contact', ip, network, entityWithoutEmail: entity?.handle ?? entity?.name ?? null, ...source };
}

function isoSecond(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
