import type pg from 'pg';

/** A month's partition of `events`: its name and the [from, to) range of ts it holds. */
export interface MonthPartition {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** The partition of the month `monthsAhead` after the one `now` falls in (UTC). */
export function monthPartition(now: number, monthsAhead: number): MonthPartition {
  const d = new Date(now);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + monthsAhead;
  const from = Date.UTC(year, month, 1);
  const to = Date.UTC(year, month + 1, 1);
  const start = new Date(from);
  const name = `events_y${start.getUTCFullYear()}m${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name, from, to };
}

/**
 * Create this month's partition and `ahead` more. A month whose events already sit in the
 * default partition (events from the future, say) cannot get its own; it is named in the
 * result and its events stay where they are, pruned by row like the default's.
 */
export async function ensurePartitions(
  client: pg.ClientBase,
  now: number,
  ahead = 2,
): Promise<{ created: string[]; refused: Array<{ name: string; error: string }> }> {
  const existing = new Set((await listPartitions(client)).map((p) => p.name));
  const created: string[] = [];
  const refused: Array<{ name: string; error: string }> = [];
  for (let i = 0; i <= ahead; i++) {
    const p = monthPartition(now, i);
    if (existing.has(p.name)) continue;
    try {
      await client.query('SAVEPOINT partition');
      await client.query(`CREATE TABLE ${p.name} PARTITION OF events FOR VALUES FROM (${p.from}) TO (${p.to})`);
      await client.query('RELEASE SAVEPOINT partition');
      created.push(p.name);
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT partition');
      refused.push({ name: p.name, error: (err as Error).message });
    }
  }
  return { created, refused };
}

/** The month partitions of `events`, oldest first (the default partition left out). */
export async function listPartitions(client: pg.ClientBase): Promise<MonthPartition[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events' AND c.relname ~ '^events_y[0-9]{4}m[0-9]{2}$'
     ORDER BY c.relname`,
  );
  return rows.map((r) => {
    const year = Number(r.name.slice(8, 12));
    const month = Number(r.name.slice(13, 15)) - 1;
    return { name: r.name, from: Date.UTC(year, month, 1), to: Date.UTC(year, month + 1, 1) };
  });
}

/** Drop whole months that ended before `before` (instant, whatever their size); returns their names. */
export async function dropPartitionsBefore(client: pg.ClientBase, before: number): Promise<string[]> {
  const dropped: string[] = [];
  for (const p of await listPartitions(client)) {
    if (p.to > before) continue;
    await client.query(`DROP TABLE ${p.name}`);
    dropped.push(p.name);
  }
  return dropped;
}
