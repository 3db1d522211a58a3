/**
 * The nftables ban backend's scripts, as pure functions (no I/O, no clock: callers pass `now`).
 * Everything that reaches `nft -f -` is made here, from ban targets that node:net has checked
 * and re-spelt: no text of a request, a log line or a config file goes through as it came.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { normaliseCidr, unmapIPv4 } from './address.js';

/** A table name nft takes as a bare word (it is part of the script, so it is checked too). */
export const NFT_TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export const DEFAULT_NFT_TABLE = 'bansho';

/** A ban target as an element of the IPv4 or the IPv6 set. */
export interface NftElement {
  readonly set: 'banned_v4' | 'banned_v6';
  /** `192.0.2.7`, `10.0.0.0/8`, `2001:db8:1:2::/64`. */
  readonly text: string;
}

/** The longest element timeout written: ten years (a ban beyond it is refused at user level once it ends here). */
const MAX_TIMEOUT_S = 10 * 366 * 86_400;

/**
 * `target` (`a.b.c.d/32`, an IPv6 /64, a CIDR, a bare address) as a set element, or null when
 * node:net does not take it for an address: no zone, no stray character, prefix bits in range.
 */
export function nftElement(target: string): NftElement | null {
  const slash = target.indexOf('/');
  const address = unmapIPv4(slash < 0 ? target : target.slice(0, slash));
  const bitsText = slash < 0 ? null : target.slice(slash + 1);
  // node:net takes an IPv6 zone (`fe80::1%eth0`); nft and the ban list do not.
  if (address.includes('%')) return null;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return null;
  const max = v4 ? 32 : 128;
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null;
  const bits = bitsText === null ? max : Number(bitsText);
  if (bits < 1 || bits > max) return null;
  let network: string;
  try {
    network = normaliseCidr(`${address}/${bits}`);
  } catch {
    return null;
  }
  const [net = ''] = network.split('/');
  // Checked again after re-spelling: only what node:net calls an address is written.
  if (v4 ? !isIPv4(net) : !isIPv6(net)) return null;
  return { set: v4 ? 'banned_v4' : 'banned_v6', text: bits === max ? net : `${net}/${bits}` };
}

/** Whole seconds left of a ban ending at `until` (at least 1: a timeout of 0 would mean none). */
export function timeoutSeconds(until: number, now: number): number {
  return Math.min(MAX_TIMEOUT_S, Math.max(1, Math.ceil((until - now) / 1000)));
}

/** Seconds as nft's time text, days apart: nft refuses a count of seconds past 2³² ms (`5000000s`) but takes `57d6800s`. */
export function timeoutText(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  return days > 0 ? `${days}d${seconds % 86_400}s` : `${seconds}s`;
}

/**
 * The table, replacing any left by an earlier run (the first two lines make sure there is one
 * to delete, so the script holds whether or not there was): a set of IPv4 and one of IPv6
 * sources with per-element timeouts, and one rule per family that resets their TCP connections
 * to the gateway's `ports` before the process sees them. All in one transaction.
 */
export function tableScript(table: string, ports: readonly number[]): string {
  checkTable(table);
  const list = [...new Set(ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (list.length === 0) throw new RangeError('the firewall needs the gateway port(s) it guards');
  const dport = `tcp dport { ${list.join(', ')} }`;
  const set = (name: string, type: string) => `  set ${name} {\n    type ${type}\n    flags interval, timeout\n  }`;
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    set('banned_v4', 'ipv4_addr'),
    set('banned_v6', 'ipv6_addr'),
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    `    ${dport} ip saddr @banned_v4 reject with tcp reset`,
    `    ${dport} ip6 saddr @banned_v6 reject with tcp reset`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Delete the table, whether or not it is there. */
export function deleteTableScript(table: string): string {
  checkTable(table);
  return `table inet ${table}\ndelete table inet ${table}\n`;
}

/** What one target's element should become: in force until `until`, or gone (`null`). */
export type ElementChange = readonly [target: string, until: number | null];

/**
 * The commands for a batch of changes, one group per target, and the targets refused (not an
 * address). Each group first adds the element (a no-op if it is there), then deletes it, so the
 * delete never fails on an element the kernel already let expire; a ban then adds it again
 * with its remaining time, which also shortens or extends an element already there.
 */
export function changeScript(
  table: string,
  changes: Iterable<ElementChange>,
  now: number,
): { readonly groups: string[]; readonly refused: string[] } {
  checkTable(table);
  const groups: string[] = [];
  const refused: string[] = [];
  for (const [target, until] of changes) {
    const element = nftElement(target);
    if (element === null) {
      refused.push(target);
      continue;
    }
    const at = `element inet ${table} ${element.set}`;
    const lines = [`add ${at} { ${element.text} timeout 1s }`, `delete ${at} { ${element.text} }`];
    if (until !== null && until > now)
      lines.push(`add ${at} { ${element.text} timeout ${timeoutText(timeoutSeconds(until, now))} }`);
    groups.push(`${lines.join('\n')}\n`);
  }
  return { groups, refused };
}

function checkTable(table: string): void {
  if (!NFT_TABLE_NAME.test(table)) throw new RangeError(`not an nft table name: ${JSON.stringify(table)}`);
}
