import type { ThreatCatalog } from '../catalog/index.js';
import type { GatewayTotals } from '../gateway/gatewayTotals.js';
import type { Origin } from '../intel/origin.js';
import type { Store } from '../store/store.js';
import type { DashboardBans } from './dashboardBans.js';

/** What the dashboard reads of a gateway running in the same process (absent for `bansho dashboard`). */
export interface LiveGateway {
  /** Its running totals; with `serve --workers N`, every worker's added up (the pool is one gateway). */
  totals(): Promise<GatewayTotals>;
}

/** Everything the pages and the API read and change, opened by whoever starts the dashboard. */
export interface DashboardContext {
  /** The events (SQLite, or the fleet's PostgreSQL: every gateway's), read on a connection of the dashboard's own. */
  readonly store: Store;
  readonly bans: DashboardBans;
  readonly catalog: ThreatCatalog;
  /** Offline origin lookup; null when the databases could not be opened. */
  readonly origin: ((ip: string) => Origin) | null;
  readonly gateway: LiveGateway | null;
  readonly clock: () => number;
}
