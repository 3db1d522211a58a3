import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { Option } from 'commander';
import { readConfigFile } from '../config/gatewayConfig.js';
import { FleetLink } from '../store/fleet/fleetLink.js';
import { describeStore, openStore, resolveStoreSpec, type StoreSpec } from '../store/openStore.js';
import type { Store } from '../store/store.js';

export { STORE_HELP } from './storeHelp.js';

/** `--db FILE`, the local SQLite database, for the commands that read or change it in place (`bans`, `honeypot`). */
export function dbOption(): Option {
  return new Option('--db <file>', 'SQLite database').default('./bansho.db');
}

export interface StoreFlags {
  readonly db: string;
  readonly store?: string | undefined;
  readonly config?: string | undefined;
}

/** `--store` over `BANSHO_STORE` over the config's `store:`, else the SQLite file `--db`. */
export function storeSpecOf(flags: StoreFlags): StoreSpec {
  const file = flags.config ? readConfigFile(flags.config) : {};
  return resolveStoreSpec({ flag: flags.store, env: process.env.BANSHO_STORE, config: file.store, db: flags.db });
}

/** Open the store a command names; the caller closes it. */
export async function openCommandStore(flags: StoreFlags): Promise<Store> {
  return openStore(storeSpecOf(flags));
}

export { describeStore };

/**
 * With a PostgreSQL store named, a command that writes (analyze, monitor) keeps writing its
 * SQLite file `--db` as a journal, and this link ships it to the fleet's database (and brings
 * the fleet's bans in, for `analyze --follow --ban`). Null without one. Close it with a drain.
 */
export function fleetJournal(
  db: Database.Database,
  flags: StoreFlags,
  onBans: () => void = () => undefined,
): FleetLink | null {
  const spec = storeSpecOf(flags);
  if (spec.kind !== 'postgres') return null;
  const file = flags.config ? readConfigFile(flags.config) : {};
  return new FleetLink({
    url: spec.url,
    journal: db,
    name: file.name ?? hostname(),
    onBans,
    log: (line) => process.stderr.write(`${line}\n`),
  }).start();
}
