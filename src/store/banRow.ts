import type { Ban } from './types.js';

/** A ban as both stores keep it: the same columns in SQLite and PostgreSQL. */
export interface BanRow {
  target: string;
  since: number;
  until: number;
  reason: string;
  threat_id: string | null;
  offence: number;
  origin: 'auto' | 'manual';
}

export function banFromRow(r: BanRow): Ban {
  return {
    target: r.target,
    since: r.since,
    until: r.until,
    reason: r.reason,
    threatId: r.threat_id,
    offence: r.offence,
    origin: r.origin,
  };
}
