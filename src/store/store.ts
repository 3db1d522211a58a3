import type { EventAction, SecurityEvent } from '../events/securityEvent.js';
import type { EncodedEvent } from './encodedEvent.js';
import type { Ban, BanChanges, EventQuery } from './types.js';

/** One stored event and its place in the store (the dashboard's cursor pages and live feed go by it). */
export interface StoredEvent {
  readonly seq: number;
  readonly ts: number;
  readonly event: SecurityEvent;
}

export interface EventFilter {
  readonly sourceIp?: string;
  readonly threatId?: string;
  readonly actions?: readonly EventAction[];
  readonly since?: number;
  readonly until?: number;
  /** `ts:seq` of the last event of the previous page: this page starts just before it. */
  readonly before?: { readonly ts: number; readonly seq: number };
  readonly limit: number;
}

/** What one retention slice deleted. */
export interface PruneResult {
  readonly events: number;
  readonly changes: number;
  readonly bans: number;
}

export interface PruneOptions {
  /** Events before this (ms) go. */
  readonly eventsBefore: number;
  /** Change-log rows written before this, and bans that ended before it, go. */
  readonly changesBefore: number;
  /** At most this many rows of each kind per call. */
  readonly batch: number;
}

/**
 * Everything the commands read and write, whichever database holds it: `serve`'s events and
 * bans, `bans`, `analyze`, `monitor`, `report`, the dashboard. Two implementations:
 * ./sqlite/sqliteStore.ts (embedded, the default) and ./postgres/pgStore.ts (a fleet's shared
 * database); test/store/contract.test.ts runs the same suite against both.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, for messages (a file, or the URL without its password). */
  readonly location: string;

  /** Append; an event whose time and key (`eventKey` of its id) are already stored is skipped. Returns how many were new. */
  appendEvents(events: readonly EncodedEvent[]): Promise<number>;
  queryEvents(query: EventQuery): Promise<SecurityEvent[]>;
  countEvents(query: EventQuery): Promise<number>;
  /** Newest first, a page at a time (the dashboard's Events page). */
  eventPage(filter: EventFilter): Promise<StoredEvent[]>;
  /** Events stored after `seq`, oldest first (the live feed). */
  eventsAfter(seq: number, limit: number): Promise<StoredEvent[]>;
  lastEventSeq(): Promise<number>;
  /** Events per source since `since`, flows left out, most first. */
  sourceCounts(since: number, limit: number): Promise<Array<{ ip: string; events: number; last: number }>>;
  /** (threat, time) of every threat event since `since`, oldest first. */
  threatTimes(since: number, threatId?: string): Promise<Array<{ threat: string; ts: number }>>;
  countsByAction(since: number): Promise<Record<string, number>>;

  /** Insert or replace the bans (by target) with their change-log rows, in one transaction. */
  putBans(bans: readonly Ban[]): Promise<void>;
  /** Lift the ban on `target`; false when there was none. */
  removeBan(target: string): Promise<boolean>;
  /** Bans in force at `now`, oldest first; `limit` 0 or absent: all from `offset` on. */
  activeBans(now: number, page?: { readonly offset?: number; readonly limit?: number }): Promise<Ban[]>;
  countActiveBans(now: number): Promise<number>;
  /** The ban in force on exactly this target, or null. */
  banOn(target: string, now: number): Promise<Ban | null>;
  /** How many times this target was banned (kept after its bans expire). */
  offences(target: string): Promise<number>;
  /** Up to `limit` change-log rows after `cursor`, oldest first, and how far the log was pruned. */
  banChanges(cursor: number, limit: number): Promise<BanChanges>;
  /** The change log's latest seq (0 before the first change). */
  latestBanChange(): Promise<number>;

  /** Delete a slice of what is past its keep (events, change log, long-ended bans). */
  prune(options: PruneOptions): Promise<PruneResult>;
  close(): Promise<void>;
}
