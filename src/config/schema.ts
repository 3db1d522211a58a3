import { z } from 'zod';
import { normaliseCidr } from '../defense/address.js';
import { BEHAVIOUR_NAMES, type BehaviourName } from '../detect/behaviour/httpBehaviour.js';
import { parseDuration } from './duration.js';

/** A duration as text (`30s`, `1h`) or a number of seconds. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const positiveDuration = duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

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
    })
    .optional(),
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
  /** How long events are kept in the database (default 90d); older ones are deleted in the background. */
  retention: positiveDuration.optional(),
});

export type ConfigFile = z.output<typeof ConfigFileSchema>;
