import { randomUUID } from 'node:crypto';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { Ban } from '../store/types.js';
import { banTargetFor, unmapIPv4 } from './address.js';
import type { Allowlist } from './allowlist.js';
import { BanList } from './banList.js';
import { type BanPolicy, type BanRequest, banFor } from './banPolicy.js';

/**
 * What the ban manager needs from the store. The SQLite store offers these synchronously;
 * only cheap reads happen inline (offence count, version), writes are deferred.
 */
export interface SyncBanStore {
  activeSync(now: number): Ban[];
  putSync(ban: Ban): void;
  offencesSync(target: string): number;
  versionSync(): number;
}

export interface BanManagerOptions {
  readonly store: SyncBanStore;
  readonly policy: BanPolicy;
  readonly allowlist: Allowlist;
  /** Where `dropped` summaries go. */
  readonly emit: (event: SecurityEvent) => void;
  /** How often the store's `bans_version` is checked for changes by other processes. */
  readonly pollMs?: number;
  /** How often drops at accept are summarised into one event per source. */
  readonly dropReportMs?: number;
  readonly clock?: () => number;
  readonly onError?: (err: unknown) => void;
}

interface DropTally {
  count: number;
  first: number;
  last: number;
  port: number;
}

/**
 * The gateway's ban list: consulted at accept time (in memory, cheap), extended when a source
 * earns a ban (in memory at once, persisted on the next turn), and kept in step with bans
 * made by other processes (`bansho bans add`) by polling the store's version counter.
 */
export class BanManager {
  readonly list = new BanList();
  readonly #store: SyncBanStore;
  readonly #policy: BanPolicy;
  readonly #allowlist: Allowlist;
  readonly #emit: (event: SecurityEvent) => void;
  readonly #clock: () => number;
  readonly #onError: (err: unknown) => void;
  readonly #drops = new Map<string, DropTally>();
  readonly #pending: Ban[] = [];
  #version = -1;
  #poll: NodeJS.Timeout | null = null;
  #report: NodeJS.Timeout | null = null;

  constructor(options: BanManagerOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#allowlist = options.allowlist;
    this.#emit = options.emit;
    this.#clock = options.clock ?? Date.now;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: ban store: ${String(err)}\n`));
    this.sync();
    this.#poll = setInterval(() => this.sync(), options.pollMs ?? 250);
    this.#poll.unref();
    this.#report = setInterval(() => this.reportDrops(), options.dropReportMs ?? 10_000);
    this.#report.unref();
  }

  /**
   * The accept-time check. True means the caller must destroy the socket; the drop is counted
   * here and reported later as one event per source.
   */
  dropIfBanned(remoteAddress: string | undefined, remotePort: number | undefined): boolean {
    const now = this.#clock();
    if (!this.list.isBanned(remoteAddress, now)) return false;
    const key = remoteAddress as string;
    const tally = this.#drops.get(key);
    if (tally) {
      tally.count++;
      tally.last = now;
    } else this.#drops.set(key, { count: 1, first: now, last: now, port: remotePort ?? 0 });
    return true;
  }

  isBanned(remoteAddress: string | undefined): boolean {
    return this.list.isBanned(remoteAddress, this.#clock());
  }

  isAllowlisted(address: string): boolean {
    return this.#allowlist.has(address);
  }

  /**
   * Ban the source of an offence. Returns the ban, or null when the source is allowlisted or
   * already banned (one offence is counted once, however many requests were in flight).
   */
  ban(address: string, request: BanRequest): Ban | null {
    if (this.#allowlist.has(address)) return null;
    const now = this.#clock();
    if (this.list.isBanned(address, now)) return null;
    let target: string;
    try {
      target = banTargetFor(address);
    } catch {
      // No usable address (the peer vanished before we read it): nothing to ban.
      return null;
    }
    const ban = banFor(
      target,
      this.#store.offencesSync(target) + this.#pendingOffences(target),
      now,
      this.#policy,
      request,
    );
    this.list.add(ban);
    this.#pending.push(ban);
    if (this.#pending.length === 1) setImmediate(() => this.#persist());
    return ban;
  }

  /** Reload the list when another process changed the bans. Cheap when nothing changed. */
  sync(): void {
    try {
      const version = this.#store.versionSync();
      if (version === this.#version) return;
      this.#version = version;
      const active = this.#store.activeSync(this.#clock());
      this.list.replace([...active, ...this.#pending]);
    } catch (err) {
      this.#onError(err);
    }
  }

  /** Emit one `dropped` event per source that was dropped since the last report. */
  reportDrops(): void {
    if (this.#drops.size === 0) return;
    for (const [ip, tally] of this.#drops) this.#emit(droppedEvent(ip, tally));
    this.#drops.clear();
  }

  /** Write pending bans, report drops, stop the timers. */
  close(): void {
    if (this.#poll) clearInterval(this.#poll);
    if (this.#report) clearInterval(this.#report);
    this.#poll = null;
    this.#report = null;
    this.#persist();
    this.reportDrops();
  }

  #pendingOffences(target: string): number {
    let n = 0;
    for (const b of this.#pending) if (b.target === target) n++;
    return n;
  }

  #persist(): void {
    while (this.#pending.length > 0) {
      const ban = this.#pending[0] as Ban;
      try {
        this.#store.putSync(ban);
      } catch (err) {
        this.#onError(err);
      }
      this.#pending.shift();
    }
  }
}

function droppedEvent(ip: string, tally: DropTally): SecurityEvent {
  const source = unmapIPv4(ip);
  return {
    '@timestamp': new Date(tally.last).toISOString(),
    message: `dropped: ${tally.count} connection${tally.count === 1 ? '' : 's'} from banned ${source}`,
    event: {
      id: randomUUID(),
      kind: 'event',
      category: ['network', 'intrusion_detection'],
      type: ['denied'],
      action: 'dropped',
      outcome: 'success',
      module: 'bansho',
      dataset: 'bansho.gateway',
      count: tally.count,
      start: new Date(tally.first).toISOString(),
      end: new Date(tally.last).toISOString(),
    },
    source: { ip: source, port: tally.port },
    network: { transport: 'tcp' },
    bansho: { sensor: 'gateway', evidence: `${tally.count} connection(s) closed at accept` },
  };
}
