import type { Command } from 'commander';
import { readConfigFile } from '../config/gatewayConfig.js';
import { type DashboardConfig, DEFAULT_DASHBOARD_LISTEN, parseListen } from '../config/index.js';
import { DEFAULT_BAN_POLICY } from '../defense/banPolicy.js';
import { startDashboard } from '../web/startDashboard.js';
import { describeStore, STORE_HELP, storeSpecOf } from './storeOption.js';

interface DashboardFlags {
  db: string;
  store?: string;
  listen?: string;
  metrics?: string;
  config?: string;
}

/**
 * `bansho dashboard --db FILE [--listen HOST:PORT]`: the dashboard on its own, for a database
 * filled by `analyze` or `monitor` (or a gateway on another process). Its token file, allowlist
 * and ban policy come from `--config`, as the gateway's would.
 */
export function register(program: Command): void {
  program
    .command('dashboard')
    .description('serve the dashboard (and /metrics) for a database, without a gateway')
    .option('--db <file>', 'SQLite database', './bansho.db')
    .option('--store <url>', STORE_HELP)
    .option('--listen <host:port>', `where to listen (default ${DEFAULT_DASHBOARD_LISTEN})`)
    .option('--metrics <host:port>', 'serve /metrics on a listener of its own')
    .option('--config <file>', "the gateway's config: dashboard.token_file, allowlist, trusted_proxies, bans")
    .action(async (flags: DashboardFlags) => {
      await runDashboard(flags);
    });
}

async function runDashboard(flags: DashboardFlags): Promise<void> {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const fileListen = file.dashboard?.listen;
  const listenText = flags.listen ?? (fileListen === false ? undefined : fileListen) ?? DEFAULT_DASHBOARD_LISTEN;
  const metricsText = flags.metrics ?? file.dashboard?.metrics_listen;
  const config: DashboardConfig = {
    listen: parseListen(listenText),
    tokenFile: file.dashboard?.token_file ?? null,
    metricsListen: metricsText === undefined ? null : parseListen(metricsText),
    behindTls: file.dashboard?.behind_tls ?? false,
  };
  const spec = storeSpecOf(flags);
  const dashboard = await startDashboard({
    db: flags.db,
    store: spec.kind === 'postgres' ? spec.url : null,
    config,
    allowlist: [...(file.allowlist ?? []), ...(file.trusted_proxies ?? [])],
    banPolicy: {
      firstMs: file.bans?.first ?? DEFAULT_BAN_POLICY.firstMs,
      factor: file.bans?.factor ?? DEFAULT_BAN_POLICY.factor,
      maxMs: file.bans?.max ?? DEFAULT_BAN_POLICY.maxMs,
    },
    gateway: null,
  });
  process.stderr.write(`bansho: dashboard for ${describeStore(spec)} on ${dashboard.url}\n`);
  if (dashboard.metricsUrl) process.stderr.write(`bansho: metrics on ${dashboard.metricsUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      dashboard.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
