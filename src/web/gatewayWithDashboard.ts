import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { Gateway } from '../gateway/gateway.js';
import { type GatewayService, type ServiceOptions, startGatewayService } from '../gateway/service.js';
import { newStats } from '../gateway/stats.js';
import { isPostgresUrl } from '../store/postgres/connect.js';
import type { LiveGateway } from './dashboardContext.js';
import { DashboardError } from './dashboardError.js';
import { type RunningDashboard, startDashboard } from './startDashboard.js';

export interface GatewayWithDashboard {
  readonly service: GatewayService;
  /** Null with `--no-dashboard` (and no `--metrics`). */
  readonly dashboard: RunningDashboard | null;
  stop(): Promise<void>;
}

/**
 * `bansho serve`: the dashboard starts first — so an unsafe dashboard config (off loopback, no
 * token) stops the start before the gateway takes traffic, and the metrics see every event —
 * then the gateway, whose event hook feeds the metrics.
 */
export async function startGatewayWithDashboard(
  config: GatewayConfig,
  options: ServiceOptions = {},
): Promise<GatewayWithDashboard> {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const live = new LateGateway();
  const wanted = config.dashboard.listen !== null || config.dashboard.metricsListen !== null;
  const dashboard = wanted ? await startWindow(config, live, log) : null;
  let service: GatewayService;
  try {
    service = await startGatewayService(config, {
      ...options,
      log,
      onEvent: (event) => {
        dashboard?.observe(event);
        options.onEvent?.(event);
      },
    });
  } catch (err) {
    await dashboard?.stop();
    throw err;
  }
  live.bind(service);
  return {
    service,
    dashboard,
    async stop() {
      await dashboard?.stop();
      await service.stop();
    },
  };
}

/**
 * The dashboard, or null when its port is taken: the gateway's defense matters more than its
 * window, so a busy port is logged and the gateway guards without it. An unsafe config (off
 * loopback without a token) still stops the start.
 */
async function startWindow(config: GatewayConfig, live: LateGateway, log: (line: string) => void) {
  try {
    return await startDashboard({
      db: config.db,
      store: config.store,
      config: config.dashboard,
      allowlist: config.site.neverBanned,
      banPolicy: config.site.banPolicy,
      gateway: live,
      fleet: config.store !== null && isPostgresUrl(config.store),
      log,
    });
  } catch (err) {
    if (!(err instanceof DashboardError) || err.code !== 'E_DASHBOARD_LISTEN') throw err;
    log(`bansho: ${err.message}; the gateway runs without its dashboard (--dashboard HOST:PORT, --no-dashboard)`);
    return null;
  }
}

/** The gateway as the dashboard sees it, before it exists (zeros) and after. */
class LateGateway implements LiveGateway {
  #gateway: Gateway | null = null;
  #service: GatewayService | null = null;
  readonly #zero = newStats();

  bind(service: GatewayService): void {
    this.#service = service;
    this.#gateway = service.gateway;
  }

  get fleet(): LiveGateway['fleet'] {
    return this.#service?.fleet?.stats ?? null;
  }

  get stats(): LiveGateway['stats'] {
    return this.#gateway?.stats ?? this.#zero;
  }

  get events(): LiveGateway['events'] {
    return (
      this.#gateway?.events ?? { stats: { written: 0, failed: 0, spilled: 0, replayed: 0, lost: 0, outputFailed: 0 } }
    );
  }

  get bans(): LiveGateway['bans'] {
    return this.#gateway?.bans ?? { list: { size: 0 } };
  }
}
