import type Database from 'better-sqlite3';

type Db = Database.Database;

/** What a gateway's FleetLink is given. */
export interface FleetLinkOptions {
  readonly url: string;
  /** The gateway's journal: its SQLite database (`--db`). */
  readonly journal: Db;
  /** This gateway's name (config `name:`, default the host name): events' `observer.name`. */
  readonly name: string;
  /** Other gateways' bans were written into the journal: apply them now (BanManager.sync). */
  readonly onBans: () => void;
  readonly log: (line: string) => void;
  /** Rows per statement. */
  readonly batch?: number;
  /** How often the journal is looked at for new events (a ban made here wakes the link at once). */
  readonly shipMs?: number;
  /** How often the fleet's change log is read without a notification (a missed NOTIFY costs this much). */
  readonly pollMs?: number;
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
  /** A query slower than this counts as an outage: the database is slow, the journal holds on. */
  readonly queryTimeoutMs?: number;
  /** Shipped events stay in the journal this long. */
  readonly journalKeepMs?: number;
  /** Events older than this leave PostgreSQL (config `retention`); one gateway of the fleet prunes at a time. */
  readonly retentionMs?: number;
  /** Ban change-log rows older than this leave PostgreSQL (a gateway away longer reads the bans in force once). */
  readonly changeLogMs?: number;
  readonly clock?: () => number;
}

export type FleetState = 'connecting' | 'up' | 'down';

/** What the link did so far (metrics; every outage and catch-up is also logged). */
export interface FleetStats {
  readonly state: FleetState;
  readonly outages: number;
  readonly catchUps: number;
  readonly eventsShipped: number;
  readonly bansShipped: number;
  readonly bansReceived: number;
  /** Events in the journal not yet in PostgreSQL. */
  readonly backlog: number;
}
