import { LeastRecent } from '../observe/leastRecent.js';
import { sourceNetwork } from '../observe/sourceNetwork.js';

/**
 * Per-source anomaly scores over a sliding time window (CrowdSec's leaky bucket, CRS's
 * per-IP collection): scores from many low-grade matches add up until the source crosses a
 * threshold and is banned. A source is counted by its ban target (an IPv6 source by its /64),
 * so rotating addresses inside a /64 starts no fresh score. Pure: the caller passes `now`;
 * nothing reads a clock. Memory is bounded twice: at most `maxSources` sources (least recently
 * scored evicted first) and at most `maxEntriesPerSource` timestamped entries per source (the
 * oldest two merge), each entry two numbers in a flat array.
 */
export interface SourceScoreOptions {
  readonly windowMs?: number;
  readonly threshold?: number;
  readonly maxSources?: number;
  readonly maxEntriesPerSource?: number;
}

export const DEFAULT_SOURCE_SCORES = {
  windowMs: 10 * 60_000,
  threshold: 20,
  maxSources: 100_000,
  maxEntriesPerSource: 16,
} as const;

export interface SourceScore {
  readonly total: number;
  readonly overThreshold: boolean;
}

/** A source's entries: time, score, time, score, … oldest first. */
type Entries = number[];

interface Source {
  entries: Entries;
  /** The stamp of its latest use in the recency order. */
  touched: number;
}

export class SourceScores {
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly maxSources: number;
  private readonly maxEntries: number;
  private readonly sources = new Map<string, Source>();
  private readonly recency = new LeastRecent((key) => this.sources.get(key)?.touched);

  constructor(options: SourceScoreOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_SOURCE_SCORES.windowMs;
    this.threshold = options.threshold ?? DEFAULT_SOURCE_SCORES.threshold;
    this.maxSources = Math.max(1, options.maxSources ?? DEFAULT_SOURCE_SCORES.maxSources);
    this.maxEntries = Math.max(2, options.maxEntriesPerSource ?? DEFAULT_SOURCE_SCORES.maxEntriesPerSource);
  }

  get size(): number {
    return this.sources.size;
  }

  /** Add `score` for a source (an address, or a ban target already: both give the same key). */
  add(source: string, score: number, now: number): SourceScore {
    const key = keyOf(source);
    const entries = this.live(key, now) ?? [];
    if (score > 0) entries.push(now, score);
    if (entries.length > 2 * this.maxEntries) {
      // The oldest two become one, at the younger's time: the total stays, the window errs late.
      entries.splice(0, 4, entries[2] as number, (entries[1] as number) + (entries[3] as number));
    }
    if (entries.length === 0) {
      this.sources.delete(key);
      return this.result(entries);
    }
    let held = this.sources.get(key);
    if (held === undefined) {
      held = { entries, touched: 0 };
      this.sources.set(key, held);
    }
    held.touched = this.recency.touch(key, this.sources.size);
    while (this.sources.size > this.maxSources) {
      const oldest = this.recency.popOldest();
      if (oldest === undefined) break;
      this.sources.delete(oldest);
    }
    return this.result(entries);
  }

  /** The score a source has now, without adding to it. */
  peek(source: string, now: number): SourceScore {
    return this.result(this.live(keyOf(source), now) ?? []);
  }

  /** Whether adding `score` now would bring the source to the threshold (nothing is added). */
  wouldCross(source: string, score: number, now: number): boolean {
    return this.peek(source, now).total + score >= this.threshold;
  }

  forget(source: string): void {
    this.sources.delete(keyOf(source));
  }

  private live(key: string, now: number): Entries | undefined {
    const entries = this.sources.get(key)?.entries;
    if (entries === undefined) return undefined;
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < entries.length && (entries[drop] as number) <= from) drop += 2;
    if (drop > 0) entries.splice(0, drop);
    return entries;
  }

  private result(entries: Entries): SourceScore {
    let total = 0;
    for (let i = 1; i < entries.length; i += 2) total += entries[i] as number;
    return { total, overThreshold: total >= this.threshold };
  }
}

/** What a source is scored under: its ban target; text that is no address, as it is. */
function keyOf(source: string): string {
  if (source.indexOf('/') >= 0) return source;
  return sourceNetwork(source) ?? source;
}
