import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import {
  type ConfigFile,
  type CrsSettings,
  type GatewayConfig,
  readConfigFile,
  resolveCrs,
  resolveGatewayConfig,
} from '../config/index.js';
import { joinPoolTotals } from '../gateway/cluster/poolTotals.js';
import { type ReadyMessage, runWorkerPool, WORKER_INDEX_ENV } from '../gateway/cluster/primary.js';
import { joinClusterPeers } from '../gateway/cluster/workerChannel.js';
import type { GatewayService } from '../gateway/service.js';
import { openSqlite } from '../store/sqlite/sqliteStore.js';
import { startGatewayWithDashboard } from '../web/gatewayWithDashboard.js';
import type { RunningDashboard } from '../web/startDashboard.js';
import { keepRunningWhenOutputCloses } from './outputClosed.js';

interface ServeFlags {
  upstream?: string;
  listen?: string;
  config?: string;
  db?: string;
  store?: string;
  events?: string;
  /** `--dashboard HOST:PORT`; false from `--no-dashboard`; true (commander's default) otherwise. */
  dashboard?: string | boolean;
  metrics?: string;
  crs?: string;
  paranoia?: string;
  workers?: number;
  firewall?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the gateway: a reverse proxy with the defense function in front of --upstream')
    .option('--upstream <url>', 'the web server to protect, e.g. http://127.0.0.1:8080')
    .option('--listen <host:port>', 'where to listen (default 127.0.0.1:8000)')
    .option('--config <file>', 'YAML config file')
    .option('--db <file>', 'SQLite database for events and bans (default ./bansho.db); with --store, the local journal')
    .option('--store <url>', 'postgres://… shared by a fleet of gateways (or BANSHO_STORE, or store: in the config)')
    .option('--events <file|->', 'also write every event as a JSON line to FILE, or - for stdout')
    .option('--dashboard <host:port>', 'where the dashboard listens (default 127.0.0.1:9180)')
    .option('--no-dashboard', 'no dashboard')
    .option(
      '--crs <dir>',
      'run the OWASP Core Rule Set in DIR beside the packs (a CRS release, or /usr/share/modsecurity-crs)',
    )
    .option('--paranoia <n>', 'with --crs: the CRS paranoia level, 1–4 (default 1, or crs.paranoia_level)')
    .option('--metrics <host:port>', 'serve Prometheus /metrics on a listener of its own')
    .option(
      '--firewall <kind>',
      'also refuse banned sources in the kernel: nftables (needs nft and CAP_NET_ADMIN), or none (default, or bans.firewall)',
    )
    .option(
      '--workers <n>',
      'gateway processes sharing the port, bans and scores (default: the number of cores; 1 keeps one process)',
      parseWorkers,
    )
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  // The gateway's stdout carries only the --events copy: a reader that goes away must not stop it.
  keepRunningWhenOutputCloses();
  const file: ConfigFile = flags.config ? readConfigFile(flags.config) : {};
  const resolved = resolveGatewayConfig(file, { ...flags, store: flags.store ?? process.env.BANSHO_STORE });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // A process per core by default: a request costs the same CPU in N workers as in one
  // (bench/workers.ts), so N workers add what cores the site and its clients leave free. A ban's
  // refusal waits until every worker holds it (./gateway/cluster/relayRounds.ts).
  const workers = flags.workers ?? availableParallelism();
  if (workers > 1 && cluster.isPrimary) {
    // The schema is made once, before N processes open the database at the same moment.
    openSqlite(resolved.db).close();
    await runWorkerPool({ workers, log });
    return;
  }
  const worker = cluster.isWorker ? Number(process.env[WORKER_INDEX_ENV] ?? 1) : null;
  // One dashboard for the pool: the first worker's (it reads the shared database).
  const config =
    worker !== null && worker !== 1
      ? { ...resolved, dashboard: { ...resolved.dashboard, listen: null, metricsListen: null } }
      : resolved;
  let running: Awaited<ReturnType<typeof startGatewayWithDashboard>>;
  try {
    running = await startGatewayWithDashboard(config, {
      log,
      // Joined before the gateway reads its ban list: a sibling's ban is in the store by then, or relayed.
      peers: cluster.isWorker ? await joinClusterPeers() : null,
      // The dashboard's worker adds its siblings' totals to its own; every worker answers for its own.
      pool: cluster.isWorker ? joinPoolTotals() : null,
      // One table for the pool, kept by the first worker: every worker's list is the same.
      ownsFirewall: worker === null || worker === 1,
    });
  } catch (err) {
    // A worker that cannot start (no CAP_NET_ADMIN, a taken port) must exit, or the pool waits for it forever.
    cluster.worker?.disconnect();
    throw err;
  }
  const service = running.service;
  service.holder.watch();
  const tlsUrl = service.gateway.tlsUrl();
  const guarding = `bansho: guarding ${config.upstream.origin} on ${service.gateway.url()}${tlsUrl ? ` and ${tlsUrl}` : ''} (${service.fleet ? `fleet ${service.fleet.location} as ${config.name}, journal ${config.db}` : `db ${config.db}`}, ${service.holder.engine.ruleCount} rules)`;
  const lines = [guarding, ...startLines(config, service, running.dashboard)];
  // A worker tells the primary, which says it once every worker listens.
  if (worker !== null) process.send?.({ bansho: 'ready', lines } satisfies ReadyMessage);
  else for (const line of lines) log(line);

  // SIGHUP reloads the rules and, for a renewed certificate, the TLS files.
  process.on('SIGHUP', () => {
    const result = service.holder.reload();
    if (!result.ok) log(`bansho: reload refused: ${result.error.message}`);
    const tls = service.gateway.reloadTls();
    if (!tls.ok) log(`bansho: certificate not reloaded, the old one stays in force: ${tls.error.message}`);
    void reloadCrs(flags, service, log);
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`bansho: ${signal}: draining requests in flight, then stopping`);
      running.stop().then(resolve, (err: unknown) => {
        log(`bansho: shutdown: ${String(err)}`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // A worker's channel to the primary would keep it alive: drained and stopped, it goes.
  cluster.worker?.disconnect();
}

/**
 * SIGHUP's CRS part: the config file read again (crs.dir, paranoia_level, exclusions …, the
 * flags over it) and CRS loaded anew from its files. A broken file leaves the rules in force.
 */
async function reloadCrs(flags: ServeFlags, service: GatewayService, log: (line: string) => void): Promise<void> {
  let settings: CrsSettings | null;
  try {
    settings = resolveCrs((flags.config ? readConfigFile(flags.config) : {}).crs, flags);
  } catch (err) {
    log(`bansho: CRS not reloaded, the rules in force stay: ${(err as Error).message}`);
    return;
  }
  if (settings === null && service.crs === null) return;
  const result = await service.reloadCrs(settings);
  if (!result.ok) log(`bansho: CRS not reloaded, the rules in force stay: ${result.message}`);
  else if (settings === null || result.detector === null) log('bansho: CRS reloaded: off (no crs in the config)');
  else
    log(
      `bansho: CRS reloaded from ${settings.dir} at paranoia level ${settings.paranoiaLevel} (${result.detector.ruleCount} rules)`,
    );
}

/** The honeypot's start-up line; an id in `honeypot.for` that names no threat and no rule would never match. */
function describeHoneypot(config: GatewayConfig, service: GatewayService): string {
  const h = config.honeypot;
  const rules = new Set(service.holder.rules.map((r) => r.spec.id));
  const unknown = h.for.filter(
    (id) => service.holder.catalog.get(id) === undefined && !rules.has(id) && !id.startsWith('gateway-'),
  );
  const warning = unknown.length > 0 ? `; honeypot.for names no threat or rule: ${unknown.join(', ')}` : '';
  return `bansho: honeypot on for ${h.for.join(', ')} (quarantine ${h.quarantine.dir}, banned sources ${h.banned ? 'let in within their budget' : 'dropped'}); it never connects anywhere${warning}`;
}

/** What runs beside the gateway, a line each, said after the line of what it guards. */
function startLines(config: GatewayConfig, service: GatewayService, dashboard: RunningDashboard | null): string[] {
  const lines: string[] = [];
  const crs = config.site.crs;
  if (service.crs !== null && crs !== null) {
    const skipped = service.crs.engine.skippedRules;
    const left = skipped.length > 0 ? `, ${skipped.length} left out: ${skipped.map((r) => r.id).join(', ')}` : '';
    lines.push(
      `bansho: OWASP CRS from ${crs.dir} at paranoia level ${crs.paranoiaLevel} (${service.crs.ruleCount} rules${left}), refusing with ${crs.blockStatus}`,
    );
  }
  if (dashboard?.url) lines.push(`bansho: dashboard on ${dashboard.url}`);
  if (dashboard?.metricsUrl) lines.push(`bansho: metrics on ${dashboard.metricsUrl}`);
  if (config.honeypot.enabled) lines.push(describeHoneypot(config, service));
  if (service.kernelBans)
    lines.push(
      `bansho: banned sources also reset in the kernel (nftables table inet ${service.kernelBans.firewall.table}, port(s) ${service.gateway.ports().join(', ')})`,
    );
  return lines;
}

function parseWorkers(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('a whole number from 1 to 256');
  return n;
}
