/**
 * The nftables ban backend's scripts, as pure functions (no I/O, no clock: callers pass `now`).
 * Everything that reaches `nft -f -` is made here, from ban targets that node:net has checked
 * and re-spelt: no text of a request, a log line or a config file goes through as it came.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { normaliseCidr, unmapIPv4 } from './address.js';
import { ACK_SET } from './nftSession.js';

/** A table name nft takes as a bare word (it is part of the script, so it is checked too). */
export const NFT_TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export const DEFAULT_NFT_TABLE = 'bansho';

/**
 * The table's four sets: single IPv4 sources and IPv6 /64s — nearly every ban — in hash sets
 * (an IPv6 source is looked up by its /64: the rule masks it), and the rare wider bans (`bansho
 * bans add 10.0.0.0/8`) in interval sets. Hash sets because nft reads an interval set's
 * elements back to check each change against them, which made 5 000 bans take minutes.
 */
export type NftSet = 'banned_v4' | 'banned_v6' | 'banned_v4_nets' | 'banned_v6_nets';

/** A ban target as an element of one of the sets. */
export interface NftElement {
  readonly set: NftSet;
  /** `192.0.2.7`, `2001:db8:1:2::` (a /64, masked by the rule), `10.0.0.0/8`. */
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
  if (v4) return bits === 32 ? { set: 'banned_v4', text: net } : { set: 'banned_v4_nets', text: `${net}/${bits}` };
  return bits === 64 ? { set: 'banned_v6', text: net } : { set: 'banned_v6_nets', text: `${net}/${bits}` };
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
 * to delete, so the script holds whether or not there was): the four sets with per-element
 * timeouts, and rules that reset TCP connections from their sources to the gateway's `ports`
 * before the process sees them. All in one transaction.
 */
export function tableScript(table: string, ports: readonly number[]): string {
  checkTable(table);
  const list = [...new Set(ports)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  if (list.length === 0) throw new RangeError('the firewall needs the gateway port(s) it guards');
  const dport = `tcp dport { ${list.join(', ')} }`;
  const set = (name: NftSet, type: string, flags: string) =>
    `  set ${name} {\n    type ${type}\n    flags ${flags}\n  }`;
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    set('banned_v4', 'ipv4_addr', 'timeout'),
    set('banned_v6', 'ipv6_addr', 'timeout'),
    set('banned_v4_nets', 'ipv4_addr', 'interval, timeout'),
    set('banned_v6_nets', 'ipv6_addr', 'interval, timeout'),
    // Always empty: listing it acknowledges a line of the long-lived `nft -i` (./nftSession.ts).
    `  set ${ACK_SET} {\n    type ipv4_addr\n  }`,
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    `    ${dport} ip saddr @banned_v4 reject with tcp reset`,
    `    ${dport} ip6 saddr & ffff:ffff:ffff:ffff:: @banned_v6 reject with tcp reset`,
    `    ${dport} ip saddr @banned_v4_nets reject with tcp reset`,
    `    ${dport} ip6 saddr @banned_v6_nets reject with tcp reset`,
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

/** One target's commands, applied together or not at all. */
export interface ChangeGroup {
  readonly target: string;
  readonly until: number | null;
  readonly commands: string;
}

/**
 * The commands for a batch of changes, one group per target, and the targets refused (not an
 * address). A target the kernel has not been given (`known` false) is simply added, and a lift
 * of one is nothing to do. One it has may have expired there meanwhile, so its group first adds
 * it (a no-op if it is there), then deletes it — a delete never fails on an element gone — and
 * a ban adds it again with its remaining time, which also shortens or extends it.
 */
export function changeScript(
  table: string,
  changes: Iterable<ElementChange>,
  now: number,
  known: (target: string) => boolean,
): { readonly groups: ChangeGroup[]; readonly refused: string[] } {
  checkTable(table);
  const groups: ChangeGroup[] = [];
  const refused: string[] = [];
  for (const [target, until] of changes) {
    const element = nftElement(target);
    if (element === null) {
      refused.push(target);
      continue;
    }
    const at = `element inet ${table} ${element.set}`;
    const lines = known(target) ? [`add ${at} { ${element.text} timeout 1s }`, `delete ${at} { ${element.text} }`] : [];
    if (until !== null && until > now)
      lines.push(`add ${at} { ${element.text} timeout ${timeoutText(timeoutSeconds(until, now))} }`);
    if (lines.length > 0) groups.push({ target, until, commands: `${lines.join('\n')}\n` });
  }
  return { groups, refused };
}

function checkTable(table: string): void {
  if (!NFT_TABLE_NAME.test(table)) throw new RangeError(`not an nft table name: ${JSON.stringify(table)}`);
}
