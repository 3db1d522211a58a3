import { readConfigFile } from '../config/gatewayConfig.js';
import { describeStore, openStore, resolveStoreSpec, type StoreSpec } from '../store/openStore.js';
import type { Store } from '../store/store.js';

export const STORE_HELP = 'postgres://… of a fleet (default: BANSHO_STORE, then store: in --config, then --db)';

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
