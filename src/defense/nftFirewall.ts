import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type ChangeGroup, changeScript, deleteTableScript, tableScript } from './nftScript.js';
import { type NftResult, NftSession } from './nftSession.js';

/** Bytes of nft's complaints kept per one-off run. */
const STDERR_LIMIT = 4096;

export class FirewallError extends Error {
  readonly code = 'E_FIREWALL';
}

export interface NftFirewallOptions {
  /** The table bansho owns (`inet bansho`); replaced at open, deleted at close. */
  readonly table: string;
  /** The gateway's listening TCP ports: only connections to them are reset. */
  readonly ports: readonly number[];
  /** The nft command; default: found in PATH, /usr/sbin, /sbin. */
  readonly nft?: string;
  readonly onError?: (err: unknown) => void;
  readonly clock?: () => number;
  /** The least time between the starts of two batches (default 50 ms). */
  readonly gapMs?: number;
  /** Changes per batch at most (default 250: its script is written in ~2 ms, the event loop's time); the rest go in the next. */
  readonly batchMax?: number;
}

/** What the kernel side has done so far. */
export interface FirewallStats {
  /** `nft -f -` runs that applied changes (the table's own not counted). */
  batches: number;
  /** Targets changed in the kernel (bans added or renewed, bans lifted). */
  changes: number;
  /** Targets nft refused, one at a time after their batch failed (an overlap with a wider ban), or that are no address. */
  refused: number;
}

/**
 * The nftables ban backend: bansho's own table (`inet bansho`) whose sets hold the banned
 * sources, each with its ban's remaining time as the element's timeout, so the kernel resets
 * their connections to the gateway's ports and lets them in again when the ban ends. Changes
 * are queued and applied a batch at a time, written to nft's stdin (never a shell): the table
 * by `nft -f -` at open, the batches by one long-lived `nft -i` (./nftSession.ts). What queues
 * up while one batch runs goes in the next, one transaction for up to `batchMax` bans.
 * Nothing waits for it: the gateway refuses a banned source itself until the kernel does.
 */
export class NftFirewall {
  readonly table: string;
  readonly stats: FirewallStats = { batches: 0, changes: 0, refused: 0 };
  readonly #nft: string;
  readonly #onError: (err: unknown) => void;
  readonly #clock: () => number;
  readonly #gapMs: number;
  readonly #batchMax: number;
  /** target → until (null: lift); the latest word on a target wins. */
  #pending = new Map<string, number | null>();
  /** The targets the kernel was given, with the end it was told: a change to one of them must replace its element. */
  readonly #given = new Map<string, number>();
  #givenAfterSweep = 0;
  #lastRun = Number.NEGATIVE_INFINITY;
  #session: NftSession | null = null;
  /** False once `nft -i` failed before it ever answered. */
  #interactive = true;
  #acknowledged = false;
  #running: Promise<void> | null = null;
  #closed = false;

  private constructor(options: NftFirewallOptions, nft: string) {
    this.table = options.table;
    this.#nft = nft;
    this.#onError = options.onError ?? ((err) => process.stderr.write(`bansho: firewall: ${String(err)}\n`));
    this.#clock = options.clock ?? Date.now;
    this.#gapMs = options.gapMs ?? 50;
    this.#batchMax = options.batchMax ?? 250;
  }

  /**
   * Find nft and make the table (replacing a stale one). Throws a FirewallError saying what to
   * do when nft is missing, may not change the ruleset (no CAP_NET_ADMIN) or refuses the table.
   */
  static async open(options: NftFirewallOptions): Promise<NftFirewall> {
    const nft = options.nft ?? findNft();
    if (nft === null)
      throw new FirewallError(
        'the nftables ban backend needs the nft command, and none was found in PATH, /usr/sbin or /sbin (install nftables, or set bans.firewall: none)',
      );
    const script = tableScript(options.table, options.ports);
    let result: NftResult;
    try {
      result = await runNft(nft, script);
    } catch (err) {
      throw new FirewallError(`the nftables ban backend could not run ${nft}: ${(err as Error).message}`);
    }
    if (result.code !== 0) {
      const denied = /not permitted|permission denied/i.test(result.stderr);
      throw new FirewallError(
        denied
          ? `the nftables ban backend may not change the firewall: ${nft} needs CAP_NET_ADMIN (run bansho as root, or give it the capability, e.g. systemd's AmbientCapabilities=CAP_NET_ADMIN): ${firstLine(result.stderr)}`
          : `nft refused bansho's table inet ${options.table}: ${firstLine(result.stderr)}`,
      );
    }
    return new NftFirewall(options, nft);
  }

  /** Put `target` in its set until `until` (a later call for the same target replaces it). */
  ban(target: string, until: number): void {
    this.#queue(target, until);
  }

  /** Take `target` out of its set. */
  lift(target: string): void {
    this.#queue(target, null);
  }

  /** Resolves once every change queued so far is applied (or refused and reported). */
  async settled(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  /** Let the batch in flight end, drop what is queued, end the nft session, delete the table: the kernel forgets bansho's bans with bansho. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending.clear();
    await this.settled();
    this.#session?.close();
    try {
      const result = await runNft(this.#nft, deleteTableScript(this.table));
      if (result.code !== 0)
        this.#onError(new FirewallError(`table inet ${this.table} not deleted: ${firstLine(result.stderr)}`));
    } catch (err) {
      this.#onError(err);
    }
  }

  #queue(target: string, until: number | null): void {
    if (this.#closed) return;
    this.#pending.set(target, until);
    this.#running ??= this.#drain();
  }

  /**
   * One batch at a time, at most one per `gapMs`: what arrives meanwhile waits for the next.
   * nft 1.0 reads a set's elements back on every run (~4 µs each), so under a flood of bans the
   * runs grow, not their number.
   */
  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0 && !this.#closed) {
        const wait = this.#lastRun + this.#gapMs - performance.now();
        await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
        if (this.#closed) break;
        const batch = this.#take(this.#batchMax);
        this.#lastRun = performance.now();
        await this.#apply(batch);
      }
    } finally {
      this.#running = null;
    }
  }

  /** Up to `max` queued changes, oldest first: a flood's script is written a slice per run, never in one long stall. */
  #take(max: number): Map<string, number | null> {
    if (this.#pending.size <= max) {
      const all = this.#pending;
      this.#pending = new Map();
      return all;
    }
    const slice = new Map<string, number | null>();
    for (const [target, until] of this.#pending) {
      slice.set(target, until);
      this.#pending.delete(target);
      if (slice.size === max) break;
    }
    return slice;
  }

  async #apply(batch: ReadonlyMap<string, number | null>): Promise<void> {
    const now = this.#clock();
    const { groups, refused } = changeScript(this.table, batch, now, (target) => this.#given.has(target));
    if (refused.length > 0) {
      this.stats.refused += refused.length;
      this.#onError(new FirewallError(`not an address, left out of the firewall: ${refused.slice(0, 5).join(', ')}`));
    }
    if (groups.length === 0) return;
    try {
      const whole = await this.#run(groups.map((g) => g.commands).join(''));
      this.stats.batches++;
      if (whole.code === 0) {
        for (const group of groups) this.#applied(group);
        return;
      }
      // One transaction: a single refused element (a wide ban overlapping another) fails them all. Each alone, then.
      for (const group of groups) {
        const one = await this.#run(group.commands);
        if (one.code === 0) this.#applied(group);
        else {
          this.stats.refused++;
          this.#onError(new FirewallError(`nft refused a change: ${firstLine(one.stderr)}`));
        }
      }
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#forgetExpired(now);
    }
  }

  /**
   * A batch on the long-lived `nft -i` (started at the first batch, again after it died), or
   * on a one-off `nft -f -` where nft has no interactive mode (a build without libedit) or the
   * session just died.
   */
  async #run(commands: string): Promise<NftResult> {
    if (this.#interactive && (this.#session === null || !this.#session.alive)) {
      this.#session = new NftSession(this.#nft, this.table);
    }
    const session = this.#session;
    if (this.#interactive && session !== null) {
      try {
        const result = await session.run(commands);
        this.#acknowledged = true;
        return result;
      } catch (err) {
        // A session that never answered: no interactive mode here; one-off runs from now on.
        if (!this.#acknowledged) this.#interactive = false;
        this.#onError(new FirewallError(`nft -i: ${(err as Error).message}; this batch by nft -f -`));
      }
    }
    return runNft(this.#nft, commands);
  }

  #applied(group: ChangeGroup): void {
    this.stats.changes++;
    if (group.until === null) this.#given.delete(group.target);
    else this.#given.set(group.target, group.until);
  }

  /** Forget elements the kernel has let expire (their timeout was rounded up to whole seconds), once the map has doubled. */
  #forgetExpired(now: number): void {
    if (this.#given.size < 2 * this.#givenAfterSweep + 1024) return;
    for (const [target, until] of this.#given) if (until + 2_000 < now) this.#given.delete(target);
    this.#givenAfterSweep = this.#given.size;
  }
}

/** `nft -f -` with `script` on stdin: no shell, no argument made from data. */
function runNft(nft: string, script: string): Promise<NftResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(nft, ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.slice(0, STDERR_LIMIT - stderr.length);
    });
    child.stdin.on('error', () => {});
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stderr }));
    child.stdin.end(script);
  });
}

/** The nft command in PATH or in the sbin directories a non-root PATH often lacks; null if none. */
export function findNft(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const file = join(dir, 'nft');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

function firstLine(text: string): string {
  const lines = text.split('\n').filter((l) => /error/i.test(l));
  return (lines[0] ?? text.split('\n')[0] ?? '').trim() || 'no message';
}
