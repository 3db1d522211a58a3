import { hostname } from 'node:os';
import { DAY_MS } from '../defense/banPolicy.js';
import { DEFAULT_SOURCE_SCORES } from '../defense/sourceScores.js';
import { type BanFirewall, resolveBanFirewall } from './banFirewall.js';
import { ConfigError } from './configFile.js';
import { type HoneypotSettings, resolveHoneypot } from './honeypotSettings.js';
import { type ConfigFile, ConfigFileSchema } from './schema.js';
import { type SitePolicy, sitePolicyFromFile } from './sitePolicy.js';

export { ConfigError, parseConfigText, readConfigFile } from './configFile.js';

export interface Timeouts {
  /** Client must send the whole header block within this (slowloris). */
  readonly headersMs: number;
  /**
   * Client must send the whole request, body included, within this. Node's default (5 min):
   * shorter would cut off large uploads on slow links; slow headers have their own limit.
   */
  readonly requestMs: number;
  /** Idle keep-alive connections are closed after this. */
  readonly keepAliveMs: number;
  readonly upstreamConnectMs: number;
  readonly upstreamHeadersMs: number;
  readonly upstreamBodyMs: number;
  /** Graceful shutdown waits this long for in-flight requests, then closes what is left. */
  readonly shutdownMs: number;
  /** The window in which a request body must bring at least `limits.bodyMinRate` bytes per second. */
  readonly bodyMs: number;
  /** A response the client does not read for this long is cut off. */
  readonly sendMs: number;
  readonly tlsHandshakeMs: number;
  /** An upgraded connection idle both ways for this long is closed. */
  readonly tunnelIdleMs: number;
}

/** What one source, and all together, may hold of the gateway. */
export interface Limits {
  readonly maxConnections: number;
  readonly connectionsPerSource: number;
  readonly requestsPerSource: number;
  readonly upstreamConnections: number;
  /** Requests waiting for an upstream connection beyond which new ones get 503. */
  readonly upstreamQueue: number;
  /** Body bytes the rules see; bodies up to this size are read whole before the upstream is asked. */
  readonly bodyInspectBytes: number;
  readonly bodyMinRate: number;
  /** Limit breaches by one source within the score window that ban it. */
  readonly strikesToBan: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxConnections: 10_000,
  connectionsPerSource: 128,
  requestsPerSource: 64,
  upstreamConnections: 128,
  upstreamQueue: 1024,
  bodyInspectBytes: 64 * 1024,
  bodyMinRate: 1024,
  strikesToBan: 5,
};

/** Everything the gateway needs, resolved: flags over file over defaults, durations in ms. */
export interface GatewayConfig {
  readonly upstream: URL;
  readonly listen: { readonly host: string; readonly port: number };
  /** The HTTPS listener, if any: where, and the PEM files of its certificate chain and key. */
  readonly tls: {
    readonly listen: { readonly host: string; readonly port: number };
    readonly certFile: string;
    readonly keyFile: string;
  } | null;
  readonly db: string;
  /** The shared store (`--store`, `BANSHO_STORE`, `store:`), or null for the SQLite file `db` alone. */
  readonly store: string | null;
  /** This gateway's name: events' `observer.name`. */
  readonly name: string;
  readonly events: string | null;
  readonly rulesDir: string | null;
  /**
   * Who the site is and whom it trusts — names, trusted proxies, allowlist, ban policy,
   * behaviours, CRS — built by the same function as analyze's and monitor's (./sitePolicy.ts).
   */
  readonly site: SitePolicy;
  /** Connections from trusted proxies begin with a PROXY protocol header naming the client. */
  readonly proxyProtocol: boolean;
  readonly timeouts: Timeouts;
  readonly blockScore: number | null;
  /** Per-source anomaly scoring: the sum over the window at which a source is banned. */
  readonly sourceScores: { readonly banScore: number; readonly windowMs: number };
  readonly dropReportIntervalMs: number;
  /** Behaviour findings ban their source (else they are only recorded). */
  readonly behaviourBans: boolean;
  readonly limits: Limits;
  /** Upgrade protocols passed through (lower case); others are served as plain HTTP. */
  readonly upgradeProtocols: readonly string[];
  /** A rule-engine failure refuses the request (`block`) or lets it through (`forward`). */
  readonly onEngineError: 'block' | 'forward';
  readonly allowTrace: boolean;
  /** Events older than this are deleted from the database (store/sqlite/retention.ts). */
  readonly retentionMs: number;
  readonly dashboard: DashboardConfig;
  /** Play-along with proxy abuse (off by default). */
  readonly honeypot: HoneypotSettings;
  /** Banned sources also refused in the kernel (`bans.firewall`, `--firewall`), or not. */
  readonly firewall: BanFirewall;
}

/** The dashboard's listener (null: none), its login token file, and where /metrics is served. */
export interface DashboardConfig {
  readonly listen: { readonly host: string; readonly port: number } | null;
  readonly tokenFile: string | null;
  /** null: on the dashboard's own listener. */
  readonly metricsListen: { readonly host: string; readonly port: number } | null;
  readonly behindTls: boolean;
}

export const DEFAULT_DASHBOARD_LISTEN = '127.0.0.1:9180';

export const DEFAULT_TIMEOUTS: Timeouts = {
  headersMs: 10_000,
  requestMs: 300_000,
  keepAliveMs: 5_000,
  upstreamConnectMs: 5_000,
  upstreamHeadersMs: 30_000,
  upstreamBodyMs: 300_000,
  shutdownMs: 10_000,
  bodyMs: 10_000,
  sendMs: 30_000,
  tlsHandshakeMs: 10_000,
  tunnelIdleMs: 300_000,
};

export interface ConfigOverrides {
  readonly upstream?: string;
  readonly listen?: string;
  readonly db?: string;
  readonly events?: string;
  /** `--dashboard HOST:PORT`, or false for `--no-dashboard`. */
  readonly dashboard?: string | boolean;
  readonly metrics?: string;
  /** `--crs DIR`. */
  readonly crs?: string;
  /** `--paranoia N`. */
  readonly paranoia?: string;
  /** `--store`, or `BANSHO_STORE` as the command read it. */
  readonly store?: string | undefined;
  /** `--firewall nftables|none`. */
  readonly firewall?: string;
}

/** Combine file, flags and defaults into the gateway's config. */
export function resolveGatewayConfig(file: ConfigFile, flags: ConfigOverrides): GatewayConfig {
  const upstreamText = flags.upstream ?? file.upstream;
  if (!upstreamText) throw new ConfigError('no upstream: pass --upstream URL or set "upstream" in the config file');
  const checked = ConfigFileSchema.shape.upstream.safeParse(upstreamText);
  if (!checked.success) throw new ConfigError(`upstream "${upstreamText}": ${checked.error.issues[0]?.message}`);
  const listenText = flags.listen ?? file.listen ?? '127.0.0.1:8000';
  const listenCheck = ConfigFileSchema.shape.listen.safeParse(listenText);
  if (!listenCheck.success) throw new ConfigError(`listen "${listenText}": ${listenCheck.error.issues[0]?.message}`);
  if (file.proxy_protocol && (file.trusted_proxies ?? []).length === 0)
    throw new ConfigError('proxy_protocol needs trusted_proxies: the balancers whose PROXY headers are believed');
  const t = file.timeouts ?? {};
  // The parts every sensor shares, built as analyze and monitor build them.
  const site = sitePolicyFromFile({ ...file, upstream: upstreamText, listen: listenText }, [], undefined, {
    ...(flags.crs !== undefined ? { crs: flags.crs } : {}),
    ...(flags.paranoia !== undefined ? { paranoia: flags.paranoia } : {}),
  });
  return {
    upstream: new URL(upstreamText),
    listen: parseListen(listenText),
    tls: file.tls ? { listen: parseListen(file.tls.listen), certFile: file.tls.cert, keyFile: file.tls.key } : null,
    db: flags.db ?? file.db ?? './bansho.db',
    store: flags.store ?? file.store ?? null,
    name: file.name ?? hostname(),
    events: flags.events ?? file.events ?? null,
    rulesDir: file.rules_dir ?? null,
    site,
    proxyProtocol: file.proxy_protocol ?? false,
    timeouts: {
      headersMs: t.headers ?? DEFAULT_TIMEOUTS.headersMs,
      requestMs: t.request ?? DEFAULT_TIMEOUTS.requestMs,
      keepAliveMs: t.keep_alive ?? DEFAULT_TIMEOUTS.keepAliveMs,
      upstreamConnectMs: t.upstream_connect ?? DEFAULT_TIMEOUTS.upstreamConnectMs,
      upstreamHeadersMs: t.upstream_headers ?? DEFAULT_TIMEOUTS.upstreamHeadersMs,
      upstreamBodyMs: t.upstream_body ?? DEFAULT_TIMEOUTS.upstreamBodyMs,
      shutdownMs: t.shutdown ?? DEFAULT_TIMEOUTS.shutdownMs,
      bodyMs: t.body ?? DEFAULT_TIMEOUTS.bodyMs,
      sendMs: t.send ?? DEFAULT_TIMEOUTS.sendMs,
      tlsHandshakeMs: t.tls_handshake ?? DEFAULT_TIMEOUTS.tlsHandshakeMs,
      tunnelIdleMs: t.tunnel_idle ?? DEFAULT_TIMEOUTS.tunnelIdleMs,
    },
    blockScore: file.scores?.block ?? null,
    sourceScores: {
      banScore: file.scores?.source_ban ?? DEFAULT_SOURCE_SCORES.threshold,
      windowMs: file.scores?.window ?? DEFAULT_SOURCE_SCORES.windowMs,
    },
    dropReportIntervalMs: file.drop_report_interval ?? 10_000,
    behaviourBans: file.behaviour_bans ?? true,
    retentionMs: file.retention ?? 90 * DAY_MS,
    limits: resolveLimits(file.limits),
    upgradeProtocols: (file.upgrade ?? ['websocket']).map((p) => p.toLowerCase()),
    onEngineError: file.on_engine_error ?? 'block',
    allowTrace: file.allow_trace ?? false,
    dashboard: resolveDashboard(file.dashboard, flags),
    honeypot: resolveHoneypot(file.honeypot),
    firewall: resolveBanFirewall(file, flags.firewall),
  };
}

function resolveDashboard(d: ConfigFile['dashboard'] = {}, flags: ConfigOverrides): DashboardConfig {
  // commander gives `true` for a bare default and `false` for --no-dashboard.
  const fromFlag =
    typeof flags.dashboard === 'string' ? flags.dashboard : flags.dashboard === false ? false : undefined;
  const listenText = fromFlag ?? d.listen ?? DEFAULT_DASHBOARD_LISTEN;
  const metricsText = flags.metrics ?? d.metrics_listen;
  return {
    listen: listenText === false ? null : parseListen(checkedListen(listenText, 'dashboard')),
    tokenFile: d.token_file ?? null,
    metricsListen: metricsText === undefined ? null : parseListen(checkedListen(metricsText, 'metrics')),
    behindTls: d.behind_tls ?? false,
  };
}

function checkedListen(text: string, what: string): string {
  const check = ConfigFileSchema.shape.listen.safeParse(text);
  if (!check.success) throw new ConfigError(`${what} "${text}": ${check.error.issues[0]?.message}`);
  return text;
}

function resolveLimits(l: ConfigFile['limits'] = {}): Limits {
  const d = DEFAULT_LIMITS;
  return {
    maxConnections: l.max_connections ?? d.maxConnections,
    connectionsPerSource: l.connections_per_source ?? d.connectionsPerSource,
    requestsPerSource: l.requests_per_source ?? d.requestsPerSource,
    upstreamConnections: l.upstream_connections ?? d.upstreamConnections,
    upstreamQueue: l.upstream_queue ?? d.upstreamQueue,
    bodyInspectBytes: l.body_inspect ?? d.bodyInspectBytes,
    bodyMinRate: l.body_min_rate ?? d.bodyMinRate,
    strikesToBan: l.strikes_to_ban ?? d.strikesToBan,
  };
}

/** `127.0.0.1:8000`, `:8000`, `8000`, `[::1]:8000` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const host = m ? (m[1] ?? m[2] ?? '') : '';
  const port = Number(m ? m[3] : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`listen "${text}": bad port`);
  // `:8000` is the conventional "every interface"; a bare `8000` stays on loopback.
  const defaultHost = m ? '0.0.0.0' : '127.0.0.1';
  return { host: host === '' ? defaultHost : host, port };
}
