import { isIP } from 'node:net';
import { unmapIPv4 } from '../defense/address.js';
import type { Allowlist } from '../defense/allowlist.js';

/**
 * The client behind a chain of proxies. X-Forwarded-For lists the address each proxy received
 * the request from, oldest first, and the TCP peer comes last. Walking from the right, each
 * trusted hop vouches for the address to its left; the first address that is not trusted is the
 * client (nginx's `real_ip_recursive on`, Express's `trust proxy` with addresses). Whatever lies
 * further left is the client's own say-so and is never read: a bot cannot pick whom a ban hits.
 * An entry that is no address ends the walk at the last trusted hop. From an untrusted peer the
 * header is ignored altogether.
 */
export function forwardedClient(peer: string, forwardedFor: string | undefined, trusted: Allowlist): string {
  if (forwardedFor === undefined || !trusted.has(peer)) return peer;
  const hops = forwardedFor.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = hopAddress(hops[i] as string);
    if (address === null) return client;
    client = address;
    if (!trusted.has(address)) return address;
  }
  return client;
}

/** `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1` or `[2001:db8::1]:443` → the address; null for anything else. */
function hopAddress(text: string): string | null {
  let t = text.trim();
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return null;
    t = t.slice(1, close);
  } else {
    // One colon: an IPv4 address with a port (some load balancers add it); more: IPv6.
    const colon = t.indexOf(':');
    if (colon >= 0 && colon === t.lastIndexOf(':')) t = t.slice(0, colon);
  }
  return isIP(t) === 0 ? null : unmapIPv4(t);
}

/** Every X-Forwarded-For value in node's raw header list, joined as one list; undefined when none. */
export function forwardedForHeader(rawHeaders: readonly string[]): string | undefined {
  let joined: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== 15 || name.toLowerCase() !== 'x-forwarded-for') continue;
    joined = joined === undefined ? (rawHeaders[i + 1] as string) : `${joined}, ${rawHeaders[i + 1]}`;
  }
  return joined;
}
