import type pg from 'pg';
import type { PruneOptions, PruneResult } from '../store.js';
import { dropPartitionsBefore, ensurePartitions } from './partitions.js';
import { MIGRATION_LOCK } from './schema.js';

/**
 * One slice of retention on a connection: months wholly past `eventsBefore` dropped (instant),
 * then up to `batch` older events by row (the default partition, a partial month), the change
 * log's oldest rows with the mark readers compare their cursor with, and long-ended bans.
 */
export async function pruneSlice(client: pg.ClientBase, o: PruneOptions): Promise<PruneResult> {
  try {
    await dropPartitionsBefore(client, o.eventsBefore);
    const events = await client.query(
      'DELETE FROM events WHERE (ts, key) IN (SELECT ts, key FROM events WHERE ts < $1 ORDER BY ts LIMIT $2)',
      [o.eventsBefore, o.batch],
    );
    await client.query('BEGIN');
    const last = await client.query<{ id: number | null }>(
      'SELECT max(id) AS id FROM (SELECT id FROM ban_changes WHERE at < $1 ORDER BY id LIMIT $2) AS old',
      [o.changesBefore, o.batch],
    );
    const through = last.rows[0]?.id ?? null;
    let changes = 0;
    if (through !== null) {
      changes =
        (await client.query('DELETE FROM ban_changes WHERE id <= $1 AND at < $2', [through, o.changesBefore]))
          .rowCount ?? 0;
      await client.query(`UPDATE meta SET value = GREATEST(value, $1) WHERE key = 'ban_changes_pruned'`, [through]);
    }
    await client.query('COMMIT');
    const bans = await client.query(
      'DELETE FROM bans WHERE target IN (SELECT target FROM bans WHERE until < $1 ORDER BY until LIMIT $2)',
      [o.changesBefore, o.batch],
    );
    return { events: events.rowCount ?? 0, changes, bans: bans.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * The fleet's housekeeping, run by whichever gateway takes the lock first (the others skip it):
 * the coming months' partitions, then retention slice by slice until a slice finds little left.
 * Returns false when another process held the lock.
 */
export async function maintain(client: pg.ClientBase, now: number, o: Omit<PruneOptions, 'batch'>): Promise<boolean> {
  const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [MIGRATION_LOCK]);
  if (!rows[0]?.got) return false;
  try {
    await client.query('BEGIN');
    await ensurePartitions(client, now);
    await client.query('COMMIT');
    const batch = 5_000;
    for (let i = 0; i < 100; i++) {
      const slice = await pruneSlice(client, { ...o, batch });
      if (Math.max(slice.events, slice.changes, slice.bans) < batch) break;
    }
    return true;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
