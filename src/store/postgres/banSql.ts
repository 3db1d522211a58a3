import type pg from 'pg';
import type { Ban } from '../types.js';
import { BAN_CHANNEL, BAN_WRITE_LOCK } from './schema.js';

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

const PUT = `WITH change AS (
    INSERT INTO ban_changes (target, kind, since, until, reason, threat_id, offence, origin, at, observer, observer_seq)
    VALUES ($1, 'put', $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (observer, observer_seq) DO NOTHING RETURNING id
  ), ban AS (
    INSERT INTO bans (target, since, until, reason, threat_id, offence, origin, observer)
    SELECT $1, $2, $3, $4, $5, $6, $7, $9 FROM change
    ON CONFLICT (target) DO UPDATE SET since = excluded.since, until = excluded.until, reason = excluded.reason,
      threat_id = excluded.threat_id, offence = excluded.offence, origin = excluded.origin, observer = excluded.observer
  ), offence AS (
    INSERT INTO offences (target, count, last) SELECT $1, $6, $2 FROM change
    ON CONFLICT (target) DO UPDATE SET count = GREATEST(offences.count, excluded.count), last = excluded.last
  )
  SELECT id FROM change`;

const REMOVE = `WITH gone AS (DELETE FROM bans WHERE target = $1 RETURNING *)
  INSERT INTO ban_changes (target, kind, since, until, reason, threat_id, offence, origin, at, observer, observer_seq)
  SELECT target, 'remove', since, 0, reason, threat_id, offence, origin, $2, $3, $4 FROM gone
  ON CONFLICT (observer, observer_seq) DO NOTHING RETURNING id`;

/**
 * Apply ban writes in one transaction (the caller's), in order, each with its change-log row,
 * and announce them on BAN_CHANNEL at commit. A write whose key is already in the log (a
 * journal replayed twice) is skipped. Returns how many writes changed something.
 */
export async function writeBans(client: pg.ClientBase, writes: readonly BanWrite[], now = Date.now()): Promise<number> {
  // Ids commit in the order they are handed out: a reader's cursor never passes a row still to come.
  await client.query('SELECT pg_advisory_xact_lock($1)', [BAN_WRITE_LOCK]);
  let applied = 0;
  let last = 0;
  for (const w of writes) {
    const key = [w.key?.observer ?? null, w.key?.seq ?? null];
    const result =
      w.kind === 'put'
        ? await client.query<{ id: number }>({
            name: 'bansho-put-ban',
            text: PUT,
            values: [
              w.ban.target,
              w.ban.since,
              w.ban.until,
              w.ban.reason,
              w.ban.threatId,
              w.ban.offence,
              w.ban.origin,
              now,
              ...key,
            ],
          })
        : await client.query<{ id: number }>({
            name: 'bansho-remove-ban',
            text: REMOVE,
            values: [w.target, now, ...key],
          });
    const row = result.rows[0];
    if (row) {
      applied++;
      last = row.id;
    }
  }
  if (last > 0) await client.query('SELECT pg_notify($1, $2)', [BAN_CHANNEL, String(last)]);
  return applied;
}

interface ChangeRow {
  id: number;
  target: string;
  kind: 'put' | 'remove';
  since: number;
  until: number;
  reason: string;
  threat_id: string | null;
  offence: number;
  origin: 'auto' | 'manual';
  observer: string | null;
}

/** Up to `limit` change-log rows after `cursor`, with their bans, oldest first, and how far the log was pruned. */
export async function readFleetChanges(
  client: pg.ClientBase | pg.Pool,
  cursor: number,
  limit: number,
): Promise<{ changes: FleetChange[]; prunedThrough: number }> {
  const { rows } = await client.query<ChangeRow>({
    name: 'bansho-fleet-changes',
    text: `SELECT id, target, kind, since, until, reason, threat_id, offence, origin, observer
           FROM ban_changes WHERE id > $1 ORDER BY id LIMIT $2`,
    values: [cursor, limit],
  });
  const pruned = await client.query<{ value: number }>(`SELECT value FROM meta WHERE key = 'ban_changes_pruned'`);
  return {
    changes: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      observer: r.observer,
      ban: {
        target: r.target,
        since: r.since,
        until: r.until,
        reason: r.reason,
        threatId: r.threat_id,
        offence: r.offence,
        origin: r.origin,
      },
    })),
    prunedThrough: pruned.rows[0]?.value ?? 0,
  };
}
