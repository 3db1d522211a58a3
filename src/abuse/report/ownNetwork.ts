import { isIP } from 'node:net';
import type { ConfigFile } from '../../config/schema.js';
import type { SitePolicy } from '../../config/sitePolicy.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import type { OwnNetwork } from './redact.js';

/** Addresses that stand for "every interface", which name no one. */
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * What a report must not reveal of the operator's own network: the site's names and addresses
 * and whom it never bans, as the one site policy has them (the upstream, the listen host, the
 * allowlist and trusted proxies), the TLS listener and the `abuse.redact` list from the config,
 * and the addresses the events were sent to (the gateway's or the monitored host's own).
 */
export function ownNetworkOf(policy: SitePolicy, config: ConfigFile, events: readonly SecurityEvent[]): OwnNetwork {
  const ranges = new Set<string>();
  const names = new Set<string>(['localhost']);
  const add = (hostOrAddress: string | undefined) => {
    const host = hostOrAddress?.replace(/^\[|\]$/g, '');
    if (host === undefined || WILDCARDS.has(host)) return;
    if (isIP(host) || host.includes('/')) ranges.add(host);
    else names.add(host.toLowerCase());
  };
  for (const n of policy.siteNames) add(n);
  for (const c of policy.neverBanned) add(c);
  add(hostOfListen(config.tls?.listen));
  for (const r of config.abuse?.redact ?? []) add(r);
  for (const e of events) add(e.destination?.ip);
  return { ranges: [...ranges], names: [...names] };
}

function hostOfListen(listen: string | undefined): string | undefined {
  if (!listen) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):\d+$/.exec(listen);
  return m ? (m[1] ?? m[2]) : undefined;
}
