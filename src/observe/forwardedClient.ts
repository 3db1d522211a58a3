import { isIP } from 'node:net';
import { unmapIPv4 } from './ipText.js';

/** Whether an address belongs to a proxy in front of the site (config `trusted_proxies`). */
export type TrustedProxy = (ip: string) => boolean;

/**
 * The client behind a chain of proxies. X-Forwarded-For lists the address each proxy received
 * the request from, oldest first, and the TCP peer (or the address a log line names) comes
 * last. Walking from the right, each trusted hop vouches for the address to its left; the first
 * address that is not trusted is the client (nginx's `real_ip_recursive on`, Express's `trust
 * proxy` with addresses). Whatever lies further left is the client's own say-so and is never
 * read: a bot cannot pick whom a ban hits. An entry that is no address ends the walk at the
 * last trusted hop. From an untrusted peer the header is ignored altogether.
 */
export function forwardedClient(peer: string, forwardedFor: string | undefined, trusted: TrustedProxy): string {
  if (forwardedFor === undefined || !trusted(peer)) return peer;
  const hops = forwardedFor.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = hopAddress(hops[i] as string);
    if (address === null) return client;
    client = address;
    if (!trusted(address)) return address;
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

/** Every X-Forwarded-For value among a request's headers (any case), joined as one list; undefined when none. */
export function forwardedForHeader(headers: ReadonlyArray<readonly [string, string]>): string | undefined {
  let joined: string | undefined;
  for (const [name, value] of headers) {
    if (name.length !== 15 || name.toLowerCase() !== 'x-forwarded-for') continue;
    joined = joined === undefined ? value : `${joined}, ${value}`;
  }
  return joined;
}

/**
 * The client of a request from `peer` with these headers: the peer itself, or, behind trusted
 * proxies, the address their X-Forwarded-For names. Null `trusted`: no proxies are trusted.
 */
export function requestClient(
  peer: string,
  headers: ReadonlyArray<readonly [string, string]>,
  trusted: TrustedProxy | null,
): string {
  if (trusted === null || !trusted(peer)) return peer;
  return forwardedClient(peer, forwardedForHeader(headers), trusted);
}
