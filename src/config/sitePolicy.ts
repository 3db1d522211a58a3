import { type BanPolicy, DEFAULT_BAN_POLICY } from '../defense/banPolicy.js';
import type { BehaviourSettings } from '../detect/behaviour/httpBehaviour.js';
import type { NetworkSettings } from '../detect/network/networkRules.js';
import { resolveBehaviours } from './behaviourSettings.js';
import { builtInDefaults } from './builtInDefaults.js';
import { type CrsFlags, type CrsSettings, resolveCrs } from './crsSettings.js';
import type { NetworkSection } from './networkSection.js';
import { resolveNetwork } from './networkSettings.js';
import type { ConfigFile } from './schema.js';

/**
 * Who the site is and whom it trusts, built once from the config file — the same for the
 * gateway, `analyze` and `monitor`, so that one request gets one verdict whichever sensor saw
 * it (`GET http://localhost/` is the site's own in all three, `GET http://evil.example/` proxy
 * abuse in all three).
 */
export interface SitePolicy {
  /** The names this site answers to, lower case: see siteNames. */
  readonly siteNames: readonly string[];
  /** Proxies in front (CIDRs): their X-Forwarded-For names the client. */
  readonly trustedProxies: readonly string[];
  /** Never banned: the allowlist and the proxies in front (a ban would shut out everyone behind them). */
  readonly neverBanned: readonly string[];
  readonly banPolicy: BanPolicy;
  readonly behaviours: BehaviourSettings;
  /** The OWASP CRS to run beside the packs, or null. */
  readonly crs: CrsSettings | null;
  /** The monitor's network detectors (config `network`). */
  readonly network: NetworkSettings;
}

/** Where the site is reached, where known: the upstream it guards and the gateway's listen host. */
export interface SiteAddresses {
  readonly upstreamHost?: string;
  readonly listenHost?: string;
}

/**
 * The site's names: `localhost`, the configured `site_names`, the upstream's host and the listen
 * host (unless it is every interface), and any more the command line adds.
 */
export function siteNames(configured: readonly string[], at: SiteAddresses, extra: readonly string[] = []): string[] {
  const names = new Set<string>(['localhost']);
  if (at.upstreamHost) names.add(at.upstreamHost.replace(/^\[|\]$/g, '').toLowerCase());
  const listen = at.listenHost?.toLowerCase();
  if (listen && listen !== '0.0.0.0' && listen !== '::') names.add(listen);
  for (const n of [...configured, ...extra]) names.add(n.toLowerCase());
  return [...names];
}

/**
 * The policy from a config file as written (`analyze --config`, `monitor --config`), plus names
 * given as flags, a `--thresholds` file's network section (the older way to set it), and
 * `--crs DIR [--paranoia N]`.
 */
export function sitePolicyFromFile(
  file: ConfigFile,
  extraNames: readonly string[] = [],
  thresholds?: NetworkSection,
  crsFlags: CrsFlags = {},
): SitePolicy {
  const upstreamHost = file.upstream ? safeHost(file.upstream) : undefined;
  // A bare port is on loopback, as the gateway listens (gatewayConfig.ts, parseListen).
  const listenHost =
    file.listen === undefined
      ? undefined
      : /^\d+$/.test(file.listen)
        ? '127.0.0.1'
        : file.listen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const trustedProxies = file.trusted_proxies ?? [];
  const builtIn = builtInDefaults();
  return {
    siteNames: siteNames(
      file.site_names ?? [],
      { ...(upstreamHost ? { upstreamHost } : {}), ...(listenHost ? { listenHost } : {}) },
      extraNames,
    ),
    trustedProxies,
    neverBanned: [...(file.allowlist ?? []), ...trustedProxies],
    banPolicy: {
      firstMs: file.bans?.first ?? DEFAULT_BAN_POLICY.firstMs,
      factor: file.bans?.factor ?? DEFAULT_BAN_POLICY.factor,
      maxMs: file.bans?.max ?? DEFAULT_BAN_POLICY.maxMs,
    },
    behaviours: resolveBehaviours(builtIn.behaviours, file.behaviours),
    crs: resolveCrs(file.crs, crsFlags),
    network: resolveNetwork(builtIn.network, file.network, thresholds),
  };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
