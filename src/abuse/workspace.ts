import type Database from 'better-sqlite3';
import { type AbuseConfig, resolveAbuseConfig } from '../config/abuseConfig.js';
import { readConfigFile } from '../config/gatewayConfig.js';
import type { ConfigFile } from '../config/schema.js';
import { type SitePolicy, sitePolicyFromFile } from '../config/sitePolicy.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../store/index.js';
import { RdapCache } from './store/rdapCache.js';
import { ReportLog } from './store/reportLog.js';

/** The database and config an abuse or source command works with, opened once. */
export interface AbuseWorkspace {
  readonly dbFile: string;
  readonly events: SqliteEventStore;
  readonly bans: SqliteBanStore;
  readonly cache: RdapCache;
  readonly reports: ReportLog;
  /** The site's config file (serve's), for what to redact; empty without --config. */
  readonly site: ConfigFile;
  /** The site policy built from it, as the sensors build it: its names and whom it never bans. */
  readonly policy: SitePolicy;
  readonly config: AbuseConfig;
  close(): void;
}

export interface WorkspaceFlags {
  readonly config?: string;
  readonly db?: string;
  readonly rdapBootstrap?: string;
}

export function openWorkspace(flags: WorkspaceFlags): AbuseWorkspace {
  const site: ConfigFile = flags.config ? readConfigFile(flags.config) : {};
  const dbFile = flags.db ?? site.db ?? './bansho.db';
  const db: Database.Database = openSqlite(dbFile);
  return {
    dbFile,
    events: new SqliteEventStore(db),
    bans: new SqliteBanStore(db),
    cache: new RdapCache(db),
    reports: new ReportLog(db),
    site,
    policy: sitePolicyFromFile(site),
    config: resolveAbuseConfig(
      site.abuse,
      flags.rdapBootstrap !== undefined ? { rdapBootstrap: flags.rdapBootstrap } : {},
    ),
    close: () => db.close(),
  };
}
