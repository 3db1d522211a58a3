import type pg from 'pg';
import { PgStoreError } from './connect.js';
import { ensurePartitions, listPartitions } from './partitions.js';
import { MIGRATION_LOCK, MIGRATIONS } from './schema.js';

export interface MigrationStatus {
  readonly version: number;
  readonly latest: number;
  readonly pending: ReadonlyArray<{ version: number; name: string }>;
  readonly applied: ReadonlyArray<{ version: number; name: string; appliedAt: string }>;
  readonly partitions: readonly string[];
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS bansho_schema (
  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

/**
 * Apply the migrations not applied yet, each in its own transaction, and create the coming
 * months' partitions, all under a session advisory lock: several gateways starting at once
 * queue on the lock, and the ones after the first find nothing left to do. Returns the
 * versions this call applied.
 */
export async function migrate(client: pg.ClientBase, now = Date.now()): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(CREATE_LEDGER);
    const done = await appliedVersions(client);
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO bansho_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new PgStoreError(
          'E_STORE_MIGRATE',
          `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`,
        );
      }
      applied.push(m.version);
    }
    await client.query('BEGIN');
    await ensurePartitions(client, now);
    await client.query('COMMIT');
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}

export async function migrationStatus(client: pg.ClientBase): Promise<MigrationStatus> {
  await client.query(CREATE_LEDGER);
  const { rows } = await client.query<{ version: number; name: string; applied_at: Date }>(
    'SELECT version, name, applied_at FROM bansho_schema ORDER BY version',
  );
  const done = new Set(rows.map((r) => r.version));
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  return {
    version: rows.at(-1)?.version ?? 0,
    latest,
    pending: MIGRATIONS.filter((m) => !done.has(m.version)).map((m) => ({ version: m.version, name: m.name })),
    applied: rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at.toISOString() })),
    partitions: done.size > 0 ? (await listPartitions(client)).map((p) => p.name) : [],
  };
}

async function appliedVersions(client: pg.ClientBase): Promise<Set<number>> {
  const { rows } = await client.query<{ version: number }>('SELECT version FROM bansho_schema');
  return new Set(rows.map((r) => r.version));
}
