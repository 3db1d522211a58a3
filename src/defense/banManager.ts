import type { SecurityEvent } from '../events/securityEvent.js';
import type { Ban, BanChange, BanChanges } from '../store/types.js';
import { banTargetFor } from './address.js';
import type { Allowlist } from './allowlist.js';
import { BanList } from './banList.js';
import { type BanPolicy, type BanRequest, banFor } from './banPolicy.js';
import { BanStoreError, BanWriteQueue } from './banWriteQueue.js';
import { DropReports } from './dropReports.js';

/** What the ban manager needs from the store (SqliteBanStore's synchronous side). */
export interface SyncBanStore {
  /** Every ban in force, as (target, until); returns the change-log cursor the snapshot is at. */
  snapshotSync(now: number, add: (target: string, until: number) => void): number;
  /** Up to `limit` change-log rows after `cursor`. */
  changesSync(cursor: number, limit: number): BanChanges;
  /** Write one ban durably, waiting at most `waitMs` for the write lock; throws on failure. */
  putSync(ban: Ban, options?: { readonly waitMs?: number }): void;
  offencesSync(target: string): number;
  /** Where bans still unwritten at shutdown are kept for the next open (null: nowhere). */
  readonly spill?: { readonly path: string; append(records: { readonly bans: readonly Ban[] }): void } | null;
}

/**
 * A ban that just took effect here: made by this process (`here`), read from the store's
 * change log (`log`), or relayed by a sibling gateway process before its row is read (`peer`).
 */
export interface EffectiveBan {
  readonly target: string;
  readonly until: number;
  readonly origin: 'here' | 'log' | 'peer';
}

/**
 * Where a ban of this process stands with the store, for whoever must write it should this
 * process end first (../gateway/cluster/): `queued` when the store did not take it at once
 * (locked or failing), `written` when a retry later did.
 */
export type BanCustody =
  | { readonly kind: 'queued'; readonly ban: Ban }
  | { readonly kind: 'written'; readonly ban: Ban };

/**
 * A change to the list, for a copy of it kept elsewhere (the kernel's, ./banMirror.ts): a
 * target now banned until `until` (new, extended or shortened), or lifted before its end.
 * A ban that simply runs out is not told: the copy's own timeout ends it.
 */
export type BanUpdate =
  | { readonly kind: 'set'; readonly target: string; readonly until: number }
  | { readonly kind: 'lift'; readonly target: string };

export interface BanManagerOptions {
  readonly store: SyncBanStore;
  readonly policy: BanPolicy;
  readonly allowlist: Allowlist;
  /** Where `dropped` summaries go. */
  readonly emit: (event: SecurityEvent) => void;
  /** How often the change log is read for bans made or lifted by other processes. */
  readonly pollMs?: number;
  /** Change-log rows applied per read; a longer backlog is read in further turns of the event loop. */
  readonly changesPerRead?: number;
  /** How often drops at accept are summarised into one event per ban. */
  readonly dropReportMs?: number;
  /** Bans tallied for drop reports at once; beyond, the reports go out early. */
  readonly maxDropTargets?: number;
  /** How long `ban()` may wait for another process's write lock before queueing the write. */
  readonly writeWaitMs?: number;
  /** The first retry of a queued write; later ones back off up to `retryMaxMs`. */
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
  /** At close, how long each ban still waiting may wait for the lock before it is spilled. */
  readonly closeWaitMs?: number;
  /** Called for each ban that takes effect (the gateway closes the source's open connections). */
  readonly onBan?: (ban: EffectiveBan) => void;
  readonly clock?: () => number;
  readonly onError?: (err: unknown) => void;
}

/** Expired entries looked at per poll: a million-entry list is swept a slice at a time. */
const SWEEP_PER_POLL = 10_000;

/**
 * The gateway's ban list: consulted at accept time (in memory, cheap), extended when a source
 * earns a ban (in memory and in the store before `ban` returns, or queued for a retry when
 * the store is busy), and kept in step with other processes (`bansho bans add`, other
 * gateways) by applying the store's change log after its cursor, a bounded slice per read.
 */
export class BanManager {
  #list = new BanList();
  readonly #store: SyncBanStore;
  readonly #policy: BanPolicy;
  readonly #allowlist: Allowlist;
  readonly #emit: (event: SecurityEvent) => void;
  readonly #clock: () => number;
  readonly #onError: (err: unknown) => void;
  readonly #changesPerRead: number;
  readonly #drops: DropReports;
  readonly #writes: BanWriteQueue;
  readonly #listeners = new Set<(ban: EffectiveBan) => void>();
  readonly #updates = new Set<(update: BanUpdate) => void>();
  readonly #custody = new Set<(change: BanCustody) => void>();
  readonly #closeWaitMs: number;
  /** The last change-log seq applied; -1 until a snapshot was read. */
  #cursor = -1;
  #catchUp: NodeJS.Immediate | null = null;
  #poll: NodeJS.Timeout | null = null;
  #report: NodeJS.Timeout | null = null;

  constructor(options: BanManagerOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#allowlist = options.allowlist;
    this.#emit = options.emit;
    this.#clock = options.clock ?? Date.now;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: ban store: ${String(err)}\n`));
    this.#changesPerRead = Math.max(1, options.changesPerRead ?? 10_000);
    this.#closeWaitMs = options.closeWaitMs ?? 5_000;
    this.#drops = new DropReports(options.maxDropTargets);
    this.#writes = new BanWriteQueue({
      write: (ban, waitMs) => this.#store.putSync(ban, { waitMs }),
      onError: this.#onError,
      onWritten: (ban) => callEach<BanCustody>(this.#custody, { kind: 'written', ban }, this.#onError),
      waitMs: options.writeWaitMs ?? 100,
      retryFirstMs: options.retryFirstMs ?? 250,
      retryMaxMs: options.retryMaxMs ?? 5_000,
      clock: this.#clock,
    });
    if (options.onBan) this.#listeners.add(options.onBan);
    this.sync();
    this.#poll = setInterval(() => this.sync(), options.pollMs ?? 250);
    this.#poll.unref();
    this.#report = setInterval(() => this.reportDrops(), options.dropReportMs ?? 10_000);
    this.#report.unref();
  }

  /** The bans in force here (replaced as a whole only when the list is read again, see #reload). */
  get list(): BanList {
    return this.#list;
  }

  /** Bans made here that the store has not taken yet (they are in force all the same). */
  get pendingWrites(): number {
    return this.#writes.size;
  }

  /** Those bans themselves, oldest first: a process that reads the store cannot see them yet. */
  unwritten(): readonly Ban[] {
    return this.#writes.pendingBans();
  }

  /** Call `listener` for each ban that takes effect from now on; returns the unsubscribe. */
  onBan(listener: (ban: EffectiveBan) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Call `listener` for each of this process's bans the store does not take at once, and again when it does. */
  onCustody(listener: (change: BanCustody) => void): () => void {
    this.#custody.add(listener);
    return () => this.#custody.delete(listener);
  }

  /** Call `listener` for each change to the list from now on (see BanUpdate); returns the unsubscribe. */
  onUpdate(listener: (update: BanUpdate) => void): () => void {
    this.#updates.add(listener);
    return () => this.#updates.delete(listener);
  }

  /**
   * The accept-time check. True means the caller must destroy the socket; the drop is counted
   * here and reported later as one event per ban. Allocates nothing for an IPv4 source, and
   * reads the clock only for one the list holds.
   */
  dropIfBanned(remoteAddress: string | undefined, remotePort: number | undefined): boolean {
    const key = this.#list.keyNow(remoteAddress, this.#clock);
    if (key === undefined) return false;
    const now = this.#clock();
    if (!this.#drops.note(key, remoteAddress as string, remotePort, now)) {
      this.reportDrops();
      this.#drops.note(key, remoteAddress as string, remotePort, now);
    }
    return true;
  }

  isBanned(remoteAddress: string | undefined): boolean {
    return this.#list.isBanned(remoteAddress, this.#clock());
  }

  /** The target of the ban covering this address (`2001:db8:1:2::/64`), or null when none does. */
  covering(remoteAddress: string | undefined): string | null {
    const key = this.#list.keyFor(remoteAddress, this.#clock());
    return key === undefined ? null : this.#list.targetOf(key);
  }

  /** Whether a ban on exactly this target (as banTargetFor names it) is in force. */
  isBannedTarget(target: string): boolean {
    return this.#list.untilOf(target) > this.#clock();
  }

  isAllowlisted(address: string): boolean {
    return this.#allowlist.has(address);
  }

  /**
   * Ban the source of an offence. Returns the ban, or null when the source is allowlisted (or
   * its ban would cover an allowlisted address) or already banned: one offence is counted once,
   * however many requests were in flight. When it returns, the ban is in the store (WAL: a
   * killed process does not lose it), unless the store was busy: then it is in force here
   * and queued for a retry (see pendingWrites).
   */
  ban(address: string, request: BanRequest): Ban | null {
    if (this.#allowlist.has(address)) return null;
    const now = this.#clock();
    if (this.#list.isBanned(address, now)) return null;
    let target: string;
    try {
      target = banTargetFor(address);
    } catch {
      // No usable address (the peer vanished before we read it): nothing to ban.
      return null;
    }
    if (this.#allowlist.overlapping(target) !== null) return null;
    const ban = banFor(target, this.#offences(target) + this.#writes.countFor(target), now, this.#policy, request);
    this.#list.add(ban);
    this.#submit(ban);
    this.#tell({ kind: 'set', target, until: this.#list.untilOf(target) });
    this.#notify({ target, until: ban.until, origin: 'here' });
    return ban;
  }

  /**
   * Bans another process made and could not write before it ended (a gateway worker that
   * died while the store was locked): written from here now, or queued as this process's own.
   * One that a longer ban here overrides, or that ran out, is let go. Returns how many were taken.
   */
  adopt(bans: readonly Ban[]): number {
    const now = this.#clock();
    let taken = 0;
    for (const ban of bans) {
      if (ban.until <= now || this.#list.untilOf(ban.target) > ban.until) continue;
      // In force here as a sibling's ban is (a sibling that heard its relay holds it already).
      this.admit(ban.target, ban.until);
      this.#submit(ban);
      taken++;
    }
    return taken;
  }

  /**
   * A ban a sibling gateway process made, relayed to this one (../gateway/cluster/): in force
   * here at once, without waiting for the change log, which brings its row later. The sibling
   * wrote it and checked its allowlist; this one only applies it.
   */
  admit(target: string, until: number): void {
    const now = this.#clock();
    const current = this.#list.untilOf(target);
    if (until <= now || current >= until) return;
    this.#list.set(target, until);
    this.#tell({ kind: 'set', target, until });
    if (current <= now) this.#notify({ target, until, origin: 'peer' });
  }

  /** Apply the store's changes since the last read (a bounded slice; a longer backlog continues next turn). */
  sync(): void {
    const now = this.#clock();
    try {
      if (this.#cursor < 0) this.#reload(now);
      else {
        const { changes, prunedThrough } = this.#store.changesSync(this.#cursor, this.#changesPerRead);
        if (prunedThrough > this.#cursor) this.#reload(now);
        else this.#apply(changes, now);
        if (changes.length === this.#changesPerRead) this.#catchUp ??= setImmediate(() => this.#continue());
      }
    } catch (err) {
      this.#onError(err);
    }
    this.#list.sweep(now, SWEEP_PER_POLL);
  }

  /** Emit one `dropped` event per ban whose sources were dropped since the last report. */
  reportDrops(): void {
    if (this.#drops.size === 0) return;
    for (const event of this.#drops.drain((key) => this.#list.targetOf(key))) this.#emit(event);
  }

  /** Write waiting bans (spilling what the store still refuses), report drops, stop the timers. */
  close(): void {
    if (this.#poll) clearInterval(this.#poll);
    if (this.#report) clearInterval(this.#report);
    if (this.#catchUp) clearImmediate(this.#catchUp);
    this.#poll = null;
    this.#report = null;
    this.#catchUp = null;
    this.#keep(this.#writes.close(this.#closeWaitMs));
    this.reportDrops();
  }

  #continue(): void {
    this.#catchUp = null;
    if (this.#poll !== null) this.sync();
  }

  /** To the store, or into the queue, told to those keeping custody of this process's bans. */
  #submit(ban: Ban): void {
    if (!this.#writes.submit(ban)) callEach<BanCustody>(this.#custody, { kind: 'queued', ban }, this.#onError);
  }

  #offences(target: string): number {
    try {
      return this.#store.offencesSync(target);
    } catch (err) {
      // A ban now matters more than its exact length.
      this.#onError(err);
      return 0;
    }
  }

  /**
   * Read the whole list again: at start, or when this reader fell behind the log's pruning
   * (a process stalled for longer than the log is kept). Bans still waiting to be written stay.
   */
  #reload(now: number): void {
    // Built aside and swapped in: a read that fails halfway leaves the old list in force.
    const fresh = new BanList();
    this.#cursor = this.#store.snapshotSync(now, (target, until) => fresh.set(target, until));
    for (const ban of this.#writes.pendingBans()) fresh.add(ban);
    const old = this.#list;
    this.#list = fresh;
    if (this.#updates.size > 0) this.#tellDifference(old, fresh, now);
  }

  /** After a reload, what a copy must change: bans that are gone, and those new or of another length. */
  #tellDifference(old: BanList, fresh: BanList, now: number): void {
    for (const [target] of old.entries(now)) if (fresh.untilOf(target) <= now) this.#tell({ kind: 'lift', target });
    for (const [target, until] of fresh.entries(now))
      if (old.untilOf(target) !== until) this.#tell({ kind: 'set', target, until });
  }

  #apply(changes: readonly BanChange[], now: number): void {
    for (const change of changes) {
      this.#cursor = change.seq;
      // A ban of ours that is not written yet wins: its own change row follows once it is.
      if (this.#writes.has(change.target)) continue;
      const before = this.#list.untilOf(change.target);
      if (change.kind === 'remove' || change.until <= now) {
        this.#list.remove(change.target);
        if (before > now) this.#tell({ kind: 'lift', target: change.target });
        continue;
      }
      const wasBanned = before > now;
      this.#list.set(change.target, change.until);
      if (before !== change.until) this.#tell({ kind: 'set', target: change.target, until: change.until });
      if (!wasBanned) this.#notify({ target: change.target, until: change.until, origin: 'log' });
    }
  }

  #tell(update: BanUpdate): void {
    callEach(this.#updates, update, this.#onError);
  }

  #notify(ban: EffectiveBan): void {
    callEach(this.#listeners, ban, this.#onError);
  }

  /** Bans the store would not take even at shutdown: into the spill file, or named in the log. */
  #keep(unwritten: readonly Ban[]): void {
    if (unwritten.length === 0) return;
    const spill = this.#store.spill;
    try {
      if (!spill) throw new Error('no spill file for this store');
      spill.append({ bans: unwritten });
      this.#onError(
        new BanStoreError(
          `${unwritten.length} ban(s) not written at shutdown: kept in ${spill.path} for the next start`,
        ),
      );
    } catch (err) {
      const list = unwritten.map((b) => `${b.target} until ${new Date(b.until).toISOString()}`).join(', ');
      this.#onError(new BanStoreError(`ban(s) not written at shutdown, and not spilled (${String(err)}): ${list}`));
    }
  }
}

/** Each listener hears the news; one that throws is reported and the rest still hear it. */
function callEach<T>(listeners: ReadonlySet<(value: T) => void>, value: T, onError: (err: unknown) => void): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (err) {
      onError(err);
    }
  }
}
