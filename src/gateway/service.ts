import { EngineHolder } from '../catalog/index.js';
import type { GatewayConfig } from '../config/gatewayConfig.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import { StoreRetention } from '../store/sqlite/retention.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../store/sqlite/sqliteStore.js';
import type { PeerChannel } from './cluster/peerNews.js';
import { Gateway, siteNamesFor } from './gateway.js';

export interface GatewayService {
  readonly gateway: Gateway;
  readonly holder: EngineHolder;
  /** Graceful stop: drain, close the store, stop watching rules. */
  stop(): Promise<void>;
}

/**
 * The gateway with its rules and its store: loads the rule packs and the threat catalog (with
 * the site's own names as the `site_names` list), watches them for changes, opens the SQLite
 * database (pruned past the retention), and starts listening.
 */
export async function startGatewayService(
  config: GatewayConfig,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  onEvent?: (event: SecurityEvent) => void,
  options: { readonly acceptFastPath?: boolean; readonly peers?: PeerChannel | null } = {},
): Promise<GatewayService> {
  const holder = new EngineHolder({
    ...(config.rulesDir ? { rulesDir: config.rulesDir } : {}),
    lists: { site_names: siteNamesFor(config) },
  });
  holder.on('error', (err: Error) => log(`bansho: rules not reloaded, the old ones stay in force: ${err.message}`));
  holder.on('reload', (result: { ok: boolean; rules?: number }) => {
    if (result.ok) log(`bansho: rules reloaded (${result.rules} rules)`);
  });
  const db = openSqlite(config.db);
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({
      config,
      detection: holder,
      stores: { events: new SqliteEventStore(db), bans: new SqliteBanStore(db) },
      log,
      ...(onEvent ? { onEvent } : {}),
      ...(options.acceptFastPath !== undefined ? { acceptFastPath: options.acceptFastPath } : {}),
      peers: options.peers ?? null,
    });
  } catch (err) {
    db.close();
    holder.close();
    throw err;
  }
  // Old events go in the background, a small slice at a time (config `retention`).
  const retention = new StoreRetention(db, {
    retentionMs: config.retentionMs,
    onError: (err) => log(`bansho: pruning old events: ${String(err)}`),
  }).start();
  return {
    gateway,
    holder,
    async stop() {
      holder.close();
      retention.stop();
      await gateway.close();
      db.close();
    },
  };
}
