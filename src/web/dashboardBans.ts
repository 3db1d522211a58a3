import { formatDuration, parseDuration } from '../config/duration.js';
import { banTargetFor } from '../defense/address.js';
import type { Allowlist } from '../defense/allowlist.js';
import { type BanPolicy, banDurationMs, manualBan } from '../defense/banPolicy.js';
import type { Store } from '../store/store.js';
import type { Ban } from '../store/types.js';
import { DashboardError } from './dashboardError.js';

/** What a change to the ban list did, for the page to say. */
export type BanOutcome =
  | { readonly kind: 'banned'; readonly ban: Ban; readonly text: string }
  | { readonly kind: 'extended'; readonly ban: Ban; readonly text: string }
  | { readonly kind: 'removed'; readonly target: string; readonly text: string }
  | { readonly kind: 'not-banned'; readonly target: string; readonly text: string };

/**
 * The Bans page's list and changes, by the rules of `bansho bans`: an IPv6 address bans its /64,
 * a ban without a length follows the escalation policy, every add counts as an offence, and an
 * address the config never bans (allowlist, trusted proxies) is refused. Writes go to the store
 * with its change log, so a running gateway applies them within its poll interval.
 */
export class DashboardBans {
  readonly #store: Store;
  readonly #allowlist: Allowlist;
  readonly #policy: BanPolicy;

  constructor(store: Store, allowlist: Allowlist, policy: BanPolicy) {
    this.#store = store;
    this.#allowlist = allowlist;
    this.#policy = policy;
  }

  async list(now: number, offset: number, limit: number): Promise<{ bans: Ban[]; total: number }> {
    return {
      bans: await this.#store.activeBans(now, { offset, limit }),
      total: await this.#store.countActiveBans(now),
    };
  }

  countActive(now: number): Promise<number> {
    return this.#store.countActiveBans(now);
  }

  /** The ban in force on the address's target, or null. */
  activeFor(ip: string, now: number): Promise<Ban | null> {
    return this.#store.banOn(targetOf(ip), now);
  }

  offencesFor(ip: string): Promise<number> {
    return this.#store.offences(targetOf(ip));
  }

  async add(ip: string, now: number, options: { duration?: string; reason?: string }): Promise<BanOutcome> {
    const target = targetOf(ip);
    const hit = this.#allowlist.overlapping(target);
    if (hit !== null)
      throw new DashboardError(
        'E_DASHBOARD_ALLOWLISTED',
        `${target} not banned: it touches ${hit} in the allowlist or trusted_proxies`,
      );
    const previous = await this.#store.offences(target);
    const duration = options.duration ? durationOf(options.duration) : banDurationMs(previous + 1, this.#policy);
    const ban = manualBan(target, previous, now, duration, options.reason?.slice(0, 200) || 'manual (dashboard)');
    await this.#store.putBans([ban]);
    return { kind: 'banned', ban, text: `banned ${target} for ${formatDuration(duration)}` };
  }

  /** Lengthen the ban in force by `duration`, without counting a new offence. */
  async extend(ip: string, now: number, duration: string): Promise<BanOutcome> {
    const current = await this.activeFor(ip, now);
    if (current === null) return { kind: 'not-banned', target: targetOf(ip), text: `no ban on ${targetOf(ip)}` };
    const ban = { ...current, until: current.until + durationOf(duration) };
    await this.#store.putBans([ban]);
    return { kind: 'extended', ban, text: `${ban.target} banned until ${new Date(ban.until).toISOString()}` };
  }

  async remove(ip: string): Promise<BanOutcome> {
    const target = targetOf(ip);
    return (await this.#store.removeBan(target))
      ? { kind: 'removed', target, text: `removed the ban on ${target}` }
      : { kind: 'not-banned', target, text: `no ban on ${target}` };
  }
}

function targetOf(ip: string): string {
  try {
    return banTargetFor(ip);
  } catch (err) {
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `not an address or CIDR: ${(err as Error).message}`);
  }
}

function durationOf(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error('must be longer than 0');
    return ms;
  } catch (err) {
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `duration ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}
