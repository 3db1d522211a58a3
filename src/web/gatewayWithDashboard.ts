import type { GatewayConfig } from '../config/gatewayConfig.js';
import { PoolSum, type PoolTotals } from '../gateway/cluster/poolTotals.js';
import { emptyTotals, type GatewayTotals, OutcomeCounts, totalsOf } from '../gateway/gatewayTotals.js';
import { type GatewayService, type ServiceOptions, startGatewayService } from '../gateway/service.js';
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

/** How `serve` starts: the service's options, and in a worker of `serve --workers N` its pool. */
export interface ServeOptions extends ServiceOptions {
  /** The siblings' totals, added to this worker's on the dashboard; null or absent in one process. */
  readonly pool?: PoolTotals | null;
}

/**
 * `bansho serve`: the dashboard starts first — so an unsafe dashboard config (off loopback, no
 * token) stops the start before the gateway takes traffic, and the metrics see every event —
 * then the gateway, whose event hook counts what the metrics report by threat.
 */
export async function startGatewayWithDashboard(
  config: GatewayConfig,
  options: ServeOptions = {},
): Promise<GatewayWithDashboard> {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const pool = options.pool ?? null;
  const live = new LateGateway(pool);
  pool?.answerWith(() => live.own());
  const wanted = config.dashboard.listen !== null || config.dashboard.metricsListen !== null;
  const dashboard = wanted ? await startWindow(config, live, log) : null;
  let service: GatewayService;
  try {
    service = await startGatewayService(config, {
      ...options,
      log,
      onEvent: (event) => {
        live.outcomes.observe(event);
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
      pool?.close();
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

/**
 * The gateway as the dashboard sees it, before it exists (zeros) and after; in a worker of a
 * pool, with its siblings' totals added (../gateway/cluster/poolTotals.ts).
 */
class LateGateway implements LiveGateway {
  readonly outcomes = new OutcomeCounts();
  readonly #pool: PoolTotals | null;
  readonly #sum: PoolSum | null;
  #service: GatewayService | null = null;

  constructor(pool: PoolTotals | null) {
    this.#pool = pool;
    this.#sum = pool === null ? null : new PoolSum();
  }

  bind(service: GatewayService): void {
    this.#service = service;
  }

  /** This process's own totals. */
  own(): GatewayTotals {
    const s = this.#service;
    if (s === null) return emptyTotals();
    const g = s.gateway;
    return totalsOf(
      { stats: g.stats, events: g.events, bans: g.bans, fleet: s.fleet?.stats ?? null },
      this.outcomes.snapshot(),
    );
  }

  async totals(): Promise<GatewayTotals> {
    if (this.#pool === null || this.#sum === null) return this.own();
    this.#sum.update(await this.#pool.siblings());
    return this.#sum.total(this.own());
  }
}
