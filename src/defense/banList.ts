import type { Ban } from '../store/types.js';
import { banTargetFor } from './address.js';
import { ipv4Key, ipv6Key, type V4Key, type V6Key, v4Target, v6Target } from './banKeys.js';

/** What a ban is found by: an IPv4 key (number), an IPv6 /64 key (4 characters) or a wide ban's target. */
export type BanKey = V4Key | V6Key;

interface WideBan {
  readonly target: string;
  readonly until: number;
  readonly test: (ip: string) => boolean;
}

/**
 * The in-memory ban list the gateway consults at accept time, before any parsing. This is the
 * path a flood of a banned bot's reconnects takes, so for IPv4 it allocates nothing (the
 * address text is read into its 32-bit key, one Map lookup); for IPv6 it builds one short key.
 * Keys are compact (see banKeys.ts): a million bans fit in about 100 MB.
 */
export class BanList {
  /** IPv4 address key → ban end (ms). */
  readonly #v4 = new Map<V4Key, number>();
  /** IPv6 /64 key → ban end (ms). */
  readonly #v6 = new Map<V6Key, number>();
  /** Bans wider than a single IPv4 or a /64 (manual `bans add 10.0.0.0/8`): checked by prefix. */
  #wide: readonly WideBan[] = [];
  readonly #sweeps = [new ExpirySweep(this.#v4), new ExpirySweep(this.#v6)] as const;

  get size(): number {
    return this.#v4.size + this.#v6.size + this.#wide.length;
  }

  /** Is this remote address (as `socket.remoteAddress` gives it) banned at `now`? */
  isBanned(remoteAddress: string | undefined, now: number): boolean {
    return this.keyFor(remoteAddress, now) !== undefined;
  }

  /** The key of the ban covering this address at `now` (undefined: none). No allocation for IPv4. */
  keyFor(remoteAddress: string | undefined, now: number): BanKey | undefined {
    return this.#covering(remoteAddress, now, null);
  }

  /**
   * `keyFor` at the time `clock` tells, read only when a ban could cover the address: the
   * accept check of a source that is not banned (nearly every connection) reads no clock.
   */
  keyNow(remoteAddress: string | undefined, clock: () => number): BanKey | undefined {
    return this.#covering(remoteAddress, 0, clock);
  }

  #covering(remoteAddress: string | undefined, at: number, clock: (() => number) | null): BanKey | undefined {
    if (remoteAddress === undefined) return undefined;
    let now = at;
    let key: BanKey | undefined;
    let until: number | undefined;
    if (remoteAddress.indexOf(':') < 0) {
      key = ipv4Key(remoteAddress);
      if (key !== undefined) until = this.#v4.get(key);
    } else if (remoteAddress.startsWith('::ffff:') && remoteAddress.indexOf('.') > 0) {
      key = ipv4Key(remoteAddress, 7);
      if (key !== undefined) until = this.#v4.get(key);
    } else if (this.#v6.size > 0) {
      key = ipv6Key(remoteAddress);
      if (key !== undefined) until = this.#v6.get(key);
    }
    if (until === undefined && this.#wide.length === 0) return undefined;
    if (clock !== null) now = clock();
    if (until !== undefined && until > now) return key;
    for (const w of this.#wide) if (w.until > now && w.test(remoteAddress)) return w.target;
    return undefined;
  }

  /** The ban target a key stands for: `192.0.2.7/32`, `2001:db8:1:2::/64`, `10.0.0.0/8`. */
  targetOf(key: BanKey): string {
    if (typeof key === 'number') return v4Target(key);
    return key.length === 4 ? v6Target(key) : key;
  }

  /** The end of the ban on exactly this target (0: none). */
  untilOf(target: string): number {
    const slot = slotOf(target);
    if (slot.kind === 'v4') return this.#v4.get(slot.key) ?? 0;
    if (slot.kind === 'v6') return this.#v6.get(slot.key) ?? 0;
    return this.#wide.find((w) => w.target === target)?.until ?? 0;
  }

  /** Every ban in force at `now`, as (target, until): for a copy kept elsewhere (the kernel's, ./nftFirewall.ts). */
  *entries(now: number): Generator<readonly [target: string, until: number]> {
    for (const [key, until] of this.#v4) if (until > now) yield [v4Target(key), until];
    for (const [key, until] of this.#v6) if (until > now) yield [v6Target(key), until];
    for (const w of this.#wide) if (w.until > now) yield [w.target, w.until];
  }

  /** Add a ban, or extend one: a ban made here never shortens one in force. */
  add(ban: Pick<Ban, 'target' | 'until'>): void {
    this.set(ban.target, Math.max(ban.until, this.untilOf(ban.target)));
  }

  /** Set the ban on `target` to end at `until`, as the store says (a manual ban may shorten one). */
  set(target: string, until: number): void {
    const slot = slotOf(target);
    if (slot.kind === 'v4') this.#v4.set(slot.key, until);
    else if (slot.kind === 'v6') this.#v6.set(slot.key, until);
    else this.#wide = [...this.#wide.filter((w) => w.target !== target), { target, until, test: cidrTest(target) }];
  }

  remove(target: string): void {
    const slot = slotOf(target);
    if (slot.kind === 'v4') this.#v4.delete(slot.key);
    else if (slot.kind === 'v6') this.#v6.delete(slot.key);
    else this.#wide = this.#wide.filter((w) => w.target !== target);
  }

  clear(): void {
    this.#v4.clear();
    this.#v6.clear();
    this.#wide = [];
    for (const s of this.#sweeps) s.restart();
  }

  /**
   * Forget bans that ended before `now`, looking at no more than `budget` entries, so a list
   * of a million is swept a slice per call and never blocks for long. Returns how many went.
   */
  sweep(now: number, budget: number): number {
    let removed = 0;
    let left = budget;
    for (const s of this.#sweeps) {
      const slice = s.sweep(now, left);
      removed += slice.removed;
      left -= slice.looked;
      if (left <= 0) return removed;
    }
    const live = this.#wide.filter((w) => w.until > now);
    removed += this.#wide.length - live.length;
    this.#wide = live;
    return removed;
  }
}

/** One map of ban ends swept a slice at a time: where the last slice stopped is kept (Map iterators survive deletes). */
class ExpirySweep<K> {
  readonly #ends: Map<K, number>;
  #at: Iterator<[K, number]> | null = null;

  constructor(ends: Map<K, number>) {
    this.#ends = ends;
  }

  /** Look at up to `budget` entries from where the last slice stopped, deleting those ended by `now`. */
  sweep(now: number, budget: number): { readonly looked: number; readonly removed: number } {
    let looked = 0;
    let removed = 0;
    this.#at ??= this.#ends.entries();
    while (looked < budget) {
      const e = this.#at.next();
      if (e.done) {
        this.#at = null;
        break;
      }
      looked++;
      if (e.value[1] <= now && this.#ends.delete(e.value[0])) removed++;
    }
    return { looked, removed };
  }

  restart(): void {
    this.#at = null;
  }
}

type Slot = { kind: 'v4'; key: V4Key } | { kind: 'v6'; key: V6Key } | { kind: 'wide' };

/** Where a target (`a.b.c.d/32`, `x:x:x:x::/64`, any other CIDR) lives in the list. */
function slotOf(target: string): Slot {
  const slash = target.indexOf('/');
  const bits = target.slice(slash + 1);
  if (bits === '32' && target.indexOf(':') < 0) {
    const key = ipv4Key(target.slice(0, slash));
    if (key !== undefined) return { kind: 'v4', key };
  } else if (bits === '64' && target.indexOf(':') >= 0) {
    const key = ipv6Key(target.slice(0, slash));
    if (key !== undefined) return { kind: 'v6', key };
  }
  return { kind: 'wide' };
}

function cidrTest(cidr: string): (ip: string) => boolean {
  return (ip: string) => {
    try {
      return coveredBy(ip, cidr);
    } catch {
      return false;
    }
  };
}

/** Does the CIDR cover the address? Used only for the rare wide manual bans. */
export function coveredBy(ip: string, cidr: string): boolean {
  const bitsText = cidr.split('/')[1] ?? '0';
  const bits = Number(bitsText);
  const target = banTargetFor(`${ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip}/${bits}`);
  return target === cidr;
}
