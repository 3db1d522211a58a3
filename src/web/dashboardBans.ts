import type Database from 'better-sqlite3';
import { formatDuration, parseDuration } from '../config/duration.js';
import { banTargetFor } from '../defense/address.js';
import type { Allowlist } from '../defense/allowlist.js';
import { type BanPolicy, banDurationMs, manualBan } from '../defense/banPolicy.js';
import type { SqliteBanStore } from '../store/sqlite/sqliteStore.js';
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
  readonly #db: Database.Database;
  readonly #store: SqliteBanStore;
  readonly #allowlist: Allowlist;
  readonly #policy: BanPolicy;

  constructor(db: Database.Database, store: SqliteBanStore, allowlist: Allowlist, policy: BanPolicy) {
    this.#db = db;
    this.#store = store;
    this.#allowlist = allowlist;
    this.#policy = policy;
  }

  list(now: number, offset: number, limit: number): { bans: Ban[]; total: number } {
    return { bans: [...this.#store.iterateActive(now, { offset, limit })], total: this.#store.countActiveSync(now) };
  }

  countActive(now: number): number {
    return this.#store.countActiveSync(now);
  }

  /** The ban in force on the address's target, or null. */
  activeFor(ip: string, now: number): Ban | null {
    const row = this.#db.prepare('SELECT * FROM bans WHERE target = ? AND until > ?').get(targetOf(ip), now) as
      | {
          target: string;
          since: number;
          until: number;
          reason: string;
          threat_id: string | null;
          offence: number;
          origin: 'auto' | 'manual';
        }
      | undefined;
    if (!row) return null;
    const { threat_id, ...rest } = row;
    return { ...rest, threatId: threat_id };
  }

  offencesFor(ip: string): number {
    return this.#store.offencesSync(targetOf(ip));
  }

  add(ip: string, now: number, options: { duration?: string; reason?: string }): BanOutcome {
    const target = targetOf(ip);
    const hit = this.#allowlist.overlapping(target);
    if (hit !== null)
      throw new DashboardError(
        'E_DASHBOARD_ALLOWLISTED',
        `${target} not banned: it touches ${hit} in the allowlist or trusted_proxies`,
      );
    const previous = this.#store.offencesSync(target);
    const duration = options.duration ? durationOf(options.duration) : banDurationMs(previous + 1, this.#policy);
    const ban = manualBan(target, previous, now, duration, options.reason?.slice(0, 200) || 'manual (dashboard)');
    this.#store.putSync(ban);
    return { kind: 'banned', ban, text: `banned ${target} for ${formatDuration(duration)}` };
  }

  /** Lengthen the ban in force by `duration`, without counting a new offence. */
  extend(ip: string, now: number, duration: string): BanOutcome {
    const current = this.activeFor(ip, now);
    if (current === null) return { kind: 'not-banned', target: targetOf(ip), text: `no ban on ${targetOf(ip)}` };
    const ban = { ...current, until: current.until + durationOf(duration) };
    this.#store.putSync(ban);
    return { kind: 'extended', ban, text: `${ban.target} banned until ${new Date(ban.until).toISOString()}` };
  }

  remove(ip: string): BanOutcome {
    const target = targetOf(ip);
    return this.#store.removeSync(target)
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
