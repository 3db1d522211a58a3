import { EngineHolder } from '../catalog/index.js';
import type { CrsSettings } from '../config/crsSettings.js';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { CrsDetector } from '../crs/index.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { FleetLink } from '../store/fleet/fleetLink.js';
import { resolveStoreSpec } from '../store/openStore.js';
import { StoreRetention } from '../store/sqlite/retention.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../store/sqlite/sqliteStore.js';
import { WalCheckpointer } from '../store/sqlite/walCheckpointer.js';
import type { PeerChannel } from './cluster/peerNews.js';
import { Gateway } from './gateway.js';
import { type KernelBans, startKernelBans } from './kernelBans.js';
import { type CrsReload, PacksWithCrs } from './packsWithCrs.js';

/** How long the gateway's writes may wait for another process's write lock (EventSink, BanManager, retention). */
const WRITE_WAIT_MS = 100;

export interface GatewayService {
  readonly gateway: Gateway;
  readonly holder: EngineHolder;
  /** The OWASP CRS run beside the packs (config `crs`), or null. */
  readonly crs: CrsDetector | null;
  /** Loads CRS anew (SIGHUP): changed files, directory, paranoia level or exclusions take effect; on failure the rules in force stay. */
  reloadCrs(settings: CrsSettings | null): Promise<CrsReload>;
  /** The link to the fleet's PostgreSQL (`--store postgres://…`), or null for the SQLite file alone. */
  readonly fleet: FleetLink | null;
  /** The kernel's copy of the ban list (`bans.firewall: nftables`), or null. */
  readonly kernelBans: KernelBans | null;
  /** Graceful stop: drain, close the store, stop watching rules. */
  stop(): Promise<void>;
}

/** How a gateway service starts: where its log lines go, who hears of its events, its cluster. */
export interface ServiceOptions {
  /** Default: stderr. */
  readonly log?: (line: string) => void;
  readonly onEvent?: (event: SecurityEvent) => void;
  readonly acceptFastPath?: boolean;
  readonly peers?: PeerChannel | null;
  /** false: leave `bans.firewall` to another process (`serve --workers N`: the first worker keeps the table). */
  readonly ownsFirewall?: boolean;
}

/**
 * The gateway with its rules and its store: loads the rule packs and the threat catalog (with
 * the site's own names as the `site_names` list), watches them for changes, opens the SQLite
 * database (pruned past the retention), and starts listening. With `--store postgres://…` the
 * SQLite file is the gateway's journal, and a FleetLink ships it to the fleet's database and
 * brings the other gateways' bans in (../store/fleet/fleetLink.ts).
 */
export async function startGatewayService(
  config: GatewayConfig,
  options: ServiceOptions = {},
): Promise<GatewayService> {
  const { log = (line) => process.stderr.write(`${line}\n`), onEvent } = options;
  const holder = new EngineHolder({
    ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}),
    lists: { site_names: [...config.site.siteNames] },
  });
  holder.on('error', (err: Error) => log(`bansho: rules not reloaded, the old ones stay in force: ${err.message}`));
  holder.on('reload', (result: { ok: boolean; rules?: number }) => {
    if (result.ok) log(`bansho: rules reloaded (${result.rules} rules)`);
  });
  // A CRS that fails to load stops the start, as a broken pack does.
  const detection = await PacksWithCrs.start(holder, config.site.crs);
  const spec = resolveStoreSpec({ flag: config.store ?? undefined, db: config.db });
  // Every write of the gateway's own waits this long at most for another process's lock (the
  // event loop waits with it); the writers ask for no other wait, so none changes it per write.
  const db = openSqlite(spec.kind === 'sqlite' ? spec.file : config.db, { busyTimeoutMs: WRITE_WAIT_MS });
  // The request path's commits only append to the WAL; a worker copies it back (see walCheckpointer.ts).
  const checkpointer = WalCheckpointer.start(db, { onError: (err) => log(`bansho: checkpoint: ${String(err)}`) });
  let gateway: Gateway | null = null;
  const fleet =
    spec.kind === 'postgres'
      ? new FleetLink({
          url: spec.url,
          journal: db,
          name: config.name,
          retentionMs: config.retentionMs,
          log,
          // Other gateways' bans are in the journal: into the list now, not at the next poll —
          // here and in the sibling workers, whose links find the journal's cursor moved on.
          onBans: () => {
            gateway?.bans.sync();
            options.peers?.send({ kind: 'sync' });
          },
        })
      : null;
  try {
    gateway = await Gateway.start({
      config,
      detection,
      stores: { events: new SqliteEventStore(db), bans: new SqliteBanStore(db) },
      log,
      ...(onEvent ? { onEvent } : {}),
      ...(options.acceptFastPath !== undefined ? { acceptFastPath: options.acceptFastPath } : {}),
      peers: options.peers ?? null,
    });
  } catch (err) {
    await checkpointer?.stop();
    db.close();
    holder.close();
    throw err;
  }
  let kernelBans: KernelBans | null = null;
  try {
    if (options.ownsFirewall !== false) kernelBans = await startKernelBans(gateway, config.firewall, log);
  } catch (err) {
    await gateway.close();
    await checkpointer?.stop();
    db.close();
    holder.close();
    throw err;
  }
  if (fleet) {
    // A ban made here goes to the fleet at once; events go on the link's own schedule.
    gateway.bans.onBan(() => fleet.wake());
    fleet.start();
  }
  // Old events go in the background, a small slice at a time (config `retention`).
  const retention = new StoreRetention(db, {
    retentionMs: config.retentionMs,
    // A journal keeps its ban changes as long as its events: an outage's bans are shipped from them.
    ...(fleet ? { changeLogMs: config.retentionMs } : {}),
    onError: (err) => log(`bansho: pruning old events: ${String(err)}`),
  }).start();
  const running = gateway;
  return {
    gateway: running,
    holder,
    get crs() {
      return detection.crs;
    },
    reloadCrs: (settings) => detection.reload(settings),
    fleet,
    kernelBans,
    async stop() {
      holder.close();
      retention.stop();
      await running.close();
      await kernelBans?.close();
      await fleet?.close();
      await checkpointer?.stop();
      db.close();
    },
  };
}
