import type { AddressInfo } from 'node:net';
import { loadCatalog } from '../catalog/index.js';
import type { DashboardConfig } from '../config/gatewayConfig.js';
import { Allowlist } from '../defense/allowlist.js';
import type { BanPolicy } from '../defense/banPolicy.js';
import { type Origin, OriginDb } from '../intel/origin.js';
import { openStore, resolveStoreSpec } from '../store/openStore.js';
import { DashboardAccess } from './access.js';
import { DashboardBans } from './dashboardBans.js';
import type { DashboardContext, LiveGateway } from './dashboardContext.js';
import { DashboardServer } from './dashboardServer.js';
import { DashboardMetrics } from './metrics.js';
import { MetricsServer } from './metricsServer.js';

export interface DashboardOptions {
  readonly db: string;
  /** `postgres://…`: read the fleet's store instead of the SQLite file `db`. */
  readonly store?: string | null;
  readonly config: DashboardConfig;
  /** Never banned from the Bans page: the config's allowlist and trusted proxies. */
  readonly allowlist: readonly string[];
  readonly banPolicy: BanPolicy;
  /** The gateway in this process, for live counters and metrics; null for `bansho dashboard`. */
  readonly gateway: LiveGateway | null;
  /** The gateway is one of a fleet: its link's outages, catch-ups and backlog are metrics too. */
  readonly fleet?: boolean;
  readonly log?: (line: string) => void;
}

export interface RunningDashboard {
  /** `http://host:port` of the dashboard (null without one), and of /metrics. */
  readonly url: string | null;
  readonly metricsUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Open the dashboard's own connection to the database, the catalog and the origin data, and
 * start its listener (and the metrics listener, if one is configured). Refuses to start off
 * loopback without a token (E_DASHBOARD_NO_TOKEN) before anything listens.
 */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { config } = options;
  const host = config.listen?.host ?? config.metricsListen?.host ?? '127.0.0.1';
  const access = new DashboardAccess({ host, tokenFile: config.tokenFile, secureCookie: config.behindTls });
  const metricsAccess = config.metricsListen
    ? new DashboardAccess({
        host: config.metricsListen.host,
        tokenFile: config.tokenFile,
        secureCookie: config.behindTls,
      })
    : access;
  const store = await openStore(resolveStoreSpec({ flag: options.store ?? undefined, db: options.db }), { log });
  const catalog = loadCatalog();
  const origins = await OriginDb.open().catch((err: unknown) => {
    log(`bansho: dashboard: origins unavailable (${String(err)}): countries and networks left out`);
    return null;
  });
  const ctx: DashboardContext = {
    store,
    bans: new DashboardBans(store, new Allowlist([...options.allowlist]), options.banPolicy),
    catalog,
    origin: origins ? cachedOrigin(origins) : null,
    gateway: options.gateway,
    clock: Date.now,
  };
  const metrics = new DashboardMetrics({
    gateway: options.gateway,
    fleet: options.fleet === true,
    threatIds: new Set(catalog.all().map((t) => t.id)),
    activeBans: () => ctx.bans.countActive(Date.now()),
  });
  const servers: Array<DashboardServer | MetricsServer> = [];
  let url: string | null = null;
  let metricsUrl: string | null = null;
  try {
    if (config.listen) {
      const dashboard = new DashboardServer({ ctx, access, metrics, serveMetrics: config.metricsListen === null, log });
      servers.push(dashboard);
      url = urlOf(await dashboard.listen(config.listen.host, config.listen.port));
      if (config.metricsListen === null) metricsUrl = `${url}/metrics`;
    }
    if (config.metricsListen) {
      const server = new MetricsServer(metrics, metricsAccess, log);
      servers.push(server);
      metricsUrl = `${urlOf(await server.listen(config.metricsListen.host, config.metricsListen.port))}/metrics`;
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    await store.close();
    throw err;
  }
  return {
    url,
    metricsUrl,
    async stop() {
      await Promise.all(servers.map((s) => s.close()));
      await store.close();
    },
  };
}

/** Lookups cached per address, bounded: a scan from a million addresses must not hold a million entries. */
function cachedOrigin(db: OriginDb): (ip: string) => Origin {
  const cache = new Map<string, Origin>();
  return (ip) => {
    let o = cache.get(ip);
    if (!o) {
      o = db.lookup(ip);
      if (cache.size >= 50_000) cache.clear();
      cache.set(ip, o);
    }
    return o;
  };
}

function urlOf(a: AddressInfo): string {
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
