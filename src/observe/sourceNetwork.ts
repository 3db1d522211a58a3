import { isIPv4, isIPv6 } from 'node:net';
import { unmapIPv4 } from './ipText.js';

/**
 * The network a source is judged and banned by: an IPv4 address as itself (`192.0.2.7/32`),
 * an IPv6 address by its /64 (`2001:db8:1:2::/64`: one subscriber's LAN gets a whole /64, so
 * counting or banning a single v6 address counts or bans nothing). Null when the text is not
 * an address. Every sensor's per-source counters and the ban list share this key.
 */
export function sourceNetwork(address: string): string | null {
  const ip = unmapIPv4(address.trim());
  if (isIPv4(ip)) return `${ip}/32`;
  if (!isIPv6(ip)) return null;
  const text = ip.split('%')[0] as string;
  const gap = text.indexOf('::');
  let groups = text.split(':');
  if (gap >= 0) {
    const head = gap === 0 ? [] : text.slice(0, gap).split(':');
    const tail = gap + 2 === text.length ? [] : text.slice(gap + 2).split(':');
    // A dotted IPv4 tail stands for two groups; it never reaches the first four.
    const tailGroups = tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    groups = [...head, ...new Array<string>(8 - head.length - tailGroups).fill('0'), ...tail];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
