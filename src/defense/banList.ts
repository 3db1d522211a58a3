import type { Ban } from '../store/types.js';
import { banTargetFor, ipv6Prefix64 } from './address.js';

/**
 * The in-memory ban list the gateway consults at accept time, before any parsing. This is the
 * path a flood of a banned bot's reconnects takes, so it does no allocation for IPv4 (one Map
 * lookup on the address string) and, for IPv6 in node's canonical form, one string slice (the
 * /64 key).
 */
export class BanList {
  /** IPv4 address → ban end (ms). */
  readonly #v4 = new Map<string, number>();
  /** IPv6 /64 key (`2001:db8:1:2::/64`) → ban end (ms). */
  readonly #v6 = new Map<string, number>();
  /** Bans wider than a single IPv4 or a /64 (manual `bans add 10.0.0.0/8`): checked by prefix. */
  #wide: ReadonlyArray<{ readonly target: string; readonly until: number; readonly test: (ip: string) => boolean }> =
    [];

  get size(): number {
    return this.#v4.size + this.#v6.size + this.#wide.length;
  }

  /** Is this remote address (as `socket.remoteAddress` gives it) banned at `now`? */
  isBanned(remoteAddress: string | undefined, now: number): boolean {
    if (remoteAddress === undefined) return false;
    let until = this.#v4.get(remoteAddress);
    if (until === undefined) {
      if (remoteAddress.indexOf(':') >= 0) {
        if (remoteAddress.startsWith('::ffff:') && remoteAddress.indexOf('.') > 0) {
          until = this.#v4.get(remoteAddress.slice(7));
        } else if (this.#v6.size > 0) {
          until = this.#v6.get(prefixKey(remoteAddress));
        }
      }
    }
    if (until !== undefined && until > now) return true;
    if (this.#wide.length === 0) return false;
    for (const w of this.#wide) if (w.until > now && w.test(remoteAddress)) return true;
    return false;
  }

  /** Add (or extend) one ban. */
  add(ban: Pick<Ban, 'target' | 'until'>): void {
    const [net = '', bits = ''] = ban.target.split('/');
    if (bits === '32' && !net.includes(':')) this.#v4.set(net, Math.max(ban.until, this.#v4.get(net) ?? 0));
    else if (bits === '64' && net.includes(':'))
      this.#v6.set(ban.target, Math.max(ban.until, this.#v6.get(ban.target) ?? 0));
    else this.#wide = [...this.#wide, { target: ban.target, until: ban.until, test: cidrTest(ban.target) }];
  }

  /** Replace the whole list (after the store's `bans_version` changed). */
  replace(bans: ReadonlyArray<Pick<Ban, 'target' | 'until'>>): void {
    this.#v4.clear();
    this.#v6.clear();
    this.#wide = [];
    for (const b of bans) this.add(b);
  }

  remove(target: string): void {
    const [net = ''] = target.split('/');
    this.#v4.delete(net);
    this.#v6.delete(target);
    this.#wide = this.#wide.filter((w) => w.target !== target);
  }
}

/**
 * The /64 key of an IPv6 address. Node gives remote addresses in canonical form (lower case, no
 * leading zeros), so when no `::` falls inside the first four groups the key is a slice.
 */
function prefixKey(ip: string): string {
  let colon = -1;
  for (let n = 0; n < 4; n++) {
    colon = ip.indexOf(':', colon + 1);
    if (colon < 0) break;
  }
  const gap = ip.indexOf('::');
  if (colon > 0 && (gap < 0 || gap >= colon) && ip.indexOf('%') < 0) return `${ip.slice(0, colon)}::/64`;
  try {
    return ipv6Prefix64(ip);
  } catch {
    return ip;
  }
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
