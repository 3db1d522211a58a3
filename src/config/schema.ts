import { z } from 'zod';
import { normaliseCidr } from '../defense/address.js';
import { NFT_TABLE_NAME } from '../defense/nftScript.js';
import { BEHAVIOUR_NAMES, type BehaviourName } from '../detect/behaviour/httpBehaviour.js';
import { abuseSection } from './abuseConfig.js';
import { crsSection } from './crsSection.js';
import { findingWeight, networkSection } from './networkSection.js';
import { duration, positiveDuration, size } from './quantities.js';

/** Where banned sources are refused besides the gateway (./banFirewall.ts). */
export const FIREWALL_KINDS = ['none', 'nftables'] as const;

const count = z.number().int().min(1).max(10_000_000);

/**
 * One behaviour's limit: `false` switches it off, `true` keeps the built-in limit, an object
 * overrides part of it (CrowdSec's capacity, leakspeed and blackhole).
 */
const behaviourLimit = z.union([
  z.boolean(),
  z.strictObject({
    /** More than this many requests make a finding. */
    capacity: z.number().int().min(1).max(100_000).optional(),
    /** The count drops by one every this long. */
    leak_speed: positiveDuration.optional(),
    /** After a finding, the source's requests are not counted for this long. */
    cooldown: duration.optional(),
    /** How bad a finding is (the event's severity), and what it adds to the source's score. */
    ...findingWeight,
  }),
]);

const behaviours = z.strictObject(
  Object.fromEntries(BEHAVIOUR_NAMES.map((name) => [name, behaviourLimit.optional()])) as Record<
    BehaviourName,
    z.ZodOptional<typeof behaviourLimit>
  >,
);

const cidr = z.string().transform((value, ctx) => {
  try {
    return normaliseCidr(value.includes('/') ? value : `${value}/${value.includes(':') ? 128 : 32}`);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not an IP address or CIDR: "${value}"` });
    return z.NEVER;
  }
});

const upstream = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:8080' },
);

const listen = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):\d{1,5}$|^\d{1,5}$/, {
  message: 'must be HOST:PORT, :PORT or PORT (IPv6 as [::1]:8000)',
});

/** The config file, as written (snake_case keys, durations as text). Unknown keys are errors. */
export const ConfigFileSchema = z.strictObject({
  upstream: upstream.optional(),
  listen: listen.optional(),
  /** A second listener, for HTTPS: the certificate chain and key as PEM files (reloaded on SIGHUP). */
  tls: z
    .strictObject({
      listen,
      cert: z.string().min(1),
      key: z.string().min(1),
    })
    .optional(),
  db: z.string().min(1).optional(),
  /** `postgres://…`: the fleet's shared store (then `db` is this gateway's journal); absent: the SQLite file `db`. */
  store: z.string().min(1).optional(),
  /** This gateway's name in a fleet (events' `observer.name`); default the host name. */
  name: z.string().min(1).max(100).optional(),
  events: z.string().min(1).optional(),
  rules_dir: z.string().min(1).optional(),
  /** Names this site answers to, besides the upstream's host, `localhost` and the listen address. */
  site_names: z.array(z.string().min(1)).optional(),
  allowlist: z.array(cidr).optional(),
  /**
   * Proxies in front of the gateway (a TLS terminator, a load balancer): requests from them are
   * attributed to the client their X-Forwarded-For names, and they are never banned themselves.
   */
  trusted_proxies: z.array(cidr).optional(),
  /**
   * Connections from trusted_proxies start with a PROXY protocol header (v1 or v2: haproxy's
   * send-proxy, an AWS Network Load Balancer) naming the client.
   */
  proxy_protocol: z.boolean().optional(),
  bans: z
    .strictObject({
      first: duration.optional(),
      factor: z.number().min(1).max(100).optional(),
      max: duration.optional(),
      /** Also refuse banned sources in the kernel: `nftables` (./banFirewall.ts); default `none`. */
      firewall: z.enum(FIREWALL_KINDS).optional(),
      /** The nftables table bansho owns (`inet NAME`), replaced at start and deleted at exit. */
      nft_table: z
        .string()
        .regex(NFT_TABLE_NAME, { message: 'letters, digits and _, starting with a letter' })
        .optional(),
    })
    .optional(),
  timeouts: z
    .strictObject({
      headers: duration.optional(),
      request: duration.optional(),
      keep_alive: duration.optional(),
      upstream_connect: duration.optional(),
      upstream_headers: duration.optional(),
      upstream_body: duration.optional(),
      shutdown: duration.optional(),
      /** A request body must keep arriving: at least `limits.body_min_rate` bytes in every such window. */
      body: positiveDuration.optional(),
      /** A client that reads nothing of its answer for this long is cut off (nginx's send_timeout). */
      send: positiveDuration.optional(),
      /** The TLS handshake must finish within this. */
      tls_handshake: positiveDuration.optional(),
      /** An upgraded connection (WebSocket) with no traffic either way for this long is closed. */
      tunnel_idle: positiveDuration.optional(),
    })
    .optional(),
  /** What one source, and everyone together, may hold of the gateway (see README, "Slow and greedy clients"). */
  limits: z
    .strictObject({
      max_connections: count.optional(),
      connections_per_source: count.optional(),
      requests_per_source: count.optional(),
      upstream_connections: count.optional(),
      upstream_queue: z.number().int().min(0).max(10_000_000).optional(),
      /** How much of a request body the rules see (and is read before the upstream is asked). */
      body_inspect: size.optional(),
      /** Bytes per second a request body must keep up (slow POST). */
      body_min_rate: z.number().int().min(0).optional(),
      /** Limit breaches by one source within `scores.window` that ban it. */
      strikes_to_ban: count.optional(),
    })
    .optional(),
  /** Protocols a client may upgrade to through the gateway (`Upgrade:` header); [] for none. */
  upgrade: z.array(z.string().min(1)).optional(),
  /** When the rule engine fails on a request: refuse it (default) or pass it on. Either way it is counted and logged. */
  on_engine_error: z.enum(['block', 'forward']).optional(),
  /** TRACE echoes a request back (cross-site tracing); refused unless this is true. */
  allow_trace: z.boolean().optional(),
  scores: z
    .strictObject({
      /** Per-request anomaly score at which a request is blocked. */
      block: z.number().positive().optional(),
      /** Score one source may gather within `window` before it is banned. */
      source_ban: z.number().positive().optional(),
      window: duration.optional(),
    })
    .optional(),
  /** How often dropped-at-accept connections are summarised into one event per source. */
  drop_report_interval: duration.optional(),
  /**
   * Ban sources whose answered requests add up to a behaviour finding (path probing, login
   * guessing); `false` records the findings without banning (an API whose clients retry 401s).
   */
  behaviour_bans: z.boolean().optional(),
  /** The behaviours' limits, by name (`path-probing: {capacity: 30}`, `auth-failures: false`). */
  behaviours: behaviours.optional(),
  /** The monitor's network detectors: limits, severity and score (`portScan: {ports: 30}`); see networkSection.ts. */
  network: networkSection.optional(),
  /** How long events are kept in the database (default 90d); older ones are deleted in the background. */
  retention: positiveDuration.optional(),
  /** The dashboard beside `bansho serve` (src/web/): where it listens, its login, /metrics. */
  dashboard: z
    .strictObject({
      /** HOST:PORT (default 127.0.0.1:9180), or false for none. */
      listen: z.union([listen, z.literal(false)]).optional(),
      /** A file holding the login token; required when `listen` is not a loopback address. */
      token_file: z.string().min(1).optional(),
      /** `/metrics` on its own listener instead of the dashboard's. */
      metrics_listen: listen.optional(),
      /** A TLS terminator in front: the session cookie gets `Secure`. */
      behind_tls: z.boolean().optional(),
    })
    .optional(),
  /** Abuse reports: RDAP, the reporter, redaction, SMTP (see src/config/abuseConfig.ts). */
  abuse: abuseSection.optional(),
  /**
   * Play along with proxy abuse instead of answering `400` (off by default): the abuser gets an
   * open proxy, then the mail or IRC server it asked for, and nothing ever leaves the machine.
   */
  /** The OWASP Core Rule Set beside the packs (./crsSettings.ts). */
  crs: crsSection.optional(),
  honeypot: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Threat or rule ids whose requests are played along with. */
      for: z.array(z.string().min(1)).min(1).optional(),
      /** A banned source's connections enter the honeypot, within its budget, instead of being dropped. */
      banned: z.boolean().optional(),
      quarantine: z
        .strictObject({
          dir: z.string().min(1).optional(),
          max_message: size.optional(),
          max_total: size.optional(),
          retention: positiveDuration.optional(),
        })
        .optional(),
      /** What one source (an address, an IPv6 /64) may have of the honeypot per `window`. */
      budget: z
        .strictObject({
          sessions: count.optional(),
          bytes: size.optional(),
          concurrent: count.optional(),
          window: positiveDuration.optional(),
        })
        .optional(),
      session: z
        .strictObject({
          bytes: size.optional(),
          commands: count.optional(),
          idle: positiveDuration.optional(),
          lifetime: positiveDuration.optional(),
        })
        .optional(),
      /** Sessions open at once, all sources together. */
      max_sessions: count.optional(),
    })
    .optional(),
});

export type ConfigFile = z.output<typeof ConfigFileSchema>;
