import type { EventAction, SecurityEvent } from '../events/securityEvent.js';
import type { EncodedEvent } from './encodedEvent.js';

export interface EventQuery {
  /** Inclusive lower bound, ms since the epoch. */
  readonly since?: number;
  /** Exclusive upper bound, ms since the epoch. */
  readonly until?: number;
  readonly sourceIp?: string;
  readonly threatId?: string;
  readonly actions?: readonly EventAction[];
  readonly limit?: number;
  /** Newest first when true; oldest first otherwise. */
  readonly newestFirst?: boolean;
}

/**
 * Where SecurityEvents are kept. `append` ignores events whose `event.id` (and time) is already stored,
 * so producers that may replay (log re-import) stay idempotent. Returns how many were new.
 */
export interface EventStore {
  append(events: readonly SecurityEvent[]): Promise<number>;
  query(query: EventQuery): Promise<SecurityEvent[]>;
  count(query: EventQuery): Promise<number>;
  close(): Promise<void>;
}

/**
 * What the gateway's event writer uses beyond EventStore, where the store offers it: a bounded
 * wait for another process's write lock (the writer runs on the gateway's event loop), and a
 * file of its own to keep what it would not take (a spill file), taken back later.
 */
export interface ResilientEventStore {
  /** Append, waiting at most `waitMs` for the write lock; throws (SQLITE_BUSY) after that. */
  appendWaiting(events: readonly SecurityEvent[], waitMs: number): number;
  /** Null when the store has no place for a spill file (an in-memory database). */
  readonly spill: {
    readonly path: string;
    append(records: { readonly events?: readonly EncodedEvent[]; readonly bans?: readonly Ban[] }): void;
  } | null;
  /** Take this process's spill file back into the store and remove it (waiting as appendWaiting does). */
  replaySpill(waitMs: number): { readonly records: number; readonly unreadable: number };
}

/** A ban on one address (IPv4) or one /64 (IPv6), keyed by the CIDR it covers. */
export interface Ban {
  /** `203.0.113.7/32` or `2001:db8:1:2::/64`. */
  readonly target: string;
  readonly since: number;
  readonly until: number;
  readonly reason: string;
  readonly threatId: string | null;
  /** 1 for a first ban, 2 for the first repeat, …: drives the doubling. */
  readonly offence: number;
  readonly origin: 'auto' | 'manual';
}

/** One row of the ban list's change log: `put` sets the target's ban end, `remove` lifts it. */
export interface BanChange {
  readonly seq: number;
  readonly target: string;
  readonly kind: 'put' | 'remove';
  /** The ban's end (ms) for `put`; 0 for `remove`. */
  readonly until: number;
}

export interface BanChanges {
  readonly changes: readonly BanChange[];
  /** The highest seq pruned from the log: a reader whose cursor is below it missed changes. */
  readonly prunedThrough: number;
}

export interface BanStore {
  /** Bans still in force at `now`. */
  active(now: number): Promise<Ban[]>;
  /** Insert or replace the ban for `ban.target`. */
  put(ban: Ban): Promise<void>;
  remove(target: string): Promise<boolean>;
  /** How many times this target has been banned before (kept after bans expire). */
  offences(target: string): Promise<number>;
  /** The change log's latest seq: it grows whenever the ban list changes, from any process. */
  version(): Promise<number>;
  close(): Promise<void>;
}
