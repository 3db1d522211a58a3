import { isPostgresUrl, redactUrl } from './postgres/connect.js';
import { PgStore, type PgStoreOptions } from './postgres/pgStore.js';
import { SqliteStore } from './sqlite/sqliteStore.js';
import type { Store } from './store.js';

/** Which database: a SQLite file (the default, embedded) or a PostgreSQL URL (a fleet's). */
export type StoreSpec =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

export interface StoreSources {
  /** `--store` */
  readonly flag?: string | undefined;
  /** `BANSHO_STORE` */
  readonly env?: string | undefined;
  /** `store:` in the config file */
  readonly config?: string | undefined;
  /** `--db` / `db:`: the SQLite file (in fleet mode, the gateway's local journal). */
  readonly db: string;
}

/** `--store` over `BANSHO_STORE` over the config's `store:`; without any, the SQLite file `db`. */
export function resolveStoreSpec(s: StoreSources): StoreSpec {
  const chosen = [s.flag, s.env, s.config].find((v) => v !== undefined && v.trim() !== '');
  if (chosen === undefined) return { kind: 'sqlite', file: s.db };
  if (isPostgresUrl(chosen)) return { kind: 'postgres', url: chosen };
  return { kind: 'sqlite', file: chosen.replace(/^sqlite:/i, '') };
}

export function describeStore(spec: StoreSpec): string {
  return spec.kind === 'sqlite' ? spec.file : redactUrl(spec.url);
}

export async function openStore(
  spec: StoreSpec,
  options: PgStoreOptions & { readonly log?: (line: string) => void } = {},
): Promise<Store> {
  if (spec.kind === 'postgres') return PgStore.open(spec.url, options);
  return new SqliteStore(spec.file, options.log ? { log: options.log } : {});
}
