import type pg from 'pg';
import { type BanRow, banFromRow } from '../banRow.js';
import type { Ban } from '../types.js';

/** Where a change was first made: a gateway's journal row (replays are recognised by it), or nowhere (CLI, dashboard). */
export interface ChangeKey {
  readonly observer: string;
  readonly seq: number;
}

export type BanWrite =
  | { readonly kind: 'put'; readonly ban: Ban; readonly key: ChangeKey | null }
  | { readonly kind: 'remove'; readonly target: string; readonly key: ChangeKey | null };

/** A row of the change log as a gateway applies it to its journal: the whole ban for `put`. */
export interface FleetChange {
  readonly id: number;
  readonly kind: 'put' | 'remove';
  readonly ban: Ban;
  readonly observer: string | null;
}

const WRITE = 'SELECT bansho_write_ban($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS id';

/**
 * Apply ban writes in order, each with its change-log row and its announcement at commit (the
 * function of migration 2: one round trip each). Several writes belong in the caller's
 * transaction; one may go alone (its statement is its transaction). A write whose key is
 * already in the log (a journal replayed twice) is skipped. Returns how many changed something.
 */
export async function writeBans(
  db: pg.ClientBase | pg.Pool,
  writes: readonly BanWrite[],
  now = Date.now(),
): Promise<number> {
  let applied = 0;
  for (const w of writes) {
    const key = [w.key?.observer ?? null, w.key?.seq ?? null];
    const values =
      w.kind === 'put'
        ? [
            'put',
            w.ban.target,
            w.ban.since,
            w.ban.until,
            w.ban.reason,
            w.ban.threatId,
            w.ban.offence,
            w.ban.origin,
            now,
            ...key,
          ]
        : ['remove', w.target, 0, 0, '', null, 0, 'manual', now, ...key];
    const result = await db.query<{ id: number | null }>({ name: 'bansho-write-ban', text: WRITE, values });
    if (result.rows[0]?.id != null) applied++;
  }
  return applied;
}

interface ChangeRow extends BanRow {
  id: number;
  kind: 'put' | 'remove';
  observer: string | null;
}

/** Up to `limit` change-log rows after `cursor`, with their bans, oldest first, and how far the log was pruned. */
export async function readFleetChanges(
  client: pg.ClientBase | pg.Pool,
  cursor: number,
  limit: number,
): Promise<{ changes: FleetChange[]; prunedThrough: number }> {
  // One round trip: the pruned mark with the rows after the cursor (none: one row of NULLs).
  const result = await client.query<ChangeRow & { pruned: number }>({
    name: 'bansho-fleet-changes',
    text: `SELECT m.value AS pruned, c.* FROM meta m LEFT JOIN LATERAL (
             SELECT id, target, kind, since, until, reason, threat_id, offence, origin, observer
             FROM ban_changes WHERE id > $1 ORDER BY id LIMIT $2) c ON true
           WHERE m.key = 'ban_changes_pruned' ORDER BY c.id`,
    values: [cursor, limit],
  });
  const prunedThrough = result.rows[0]?.pruned ?? 0;
  const rows = result.rows.filter((r) => r.id !== null);
  return {
    changes: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      observer: r.observer,
      ban: banFromRow(r),
    })),
    prunedThrough,
  };
}
