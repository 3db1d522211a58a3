/**
 * Per-source anomaly scores over a sliding time window (CrowdSec's leaky bucket, CRS's
 * per-IP collection): scores from many low-grade matches add up until the source crosses a
 * threshold and is banned. Pure: the caller passes `now`; nothing reads a clock. Memory is
 * bounded twice: at most `maxSources` sources (least recently scored evicted first) and at
 * most `maxEntriesPerSource` timestamped entries per source (the oldest two merge).
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
  maxEntriesPerSource: 64,
} as const;

export interface SourceScore {
  readonly total: number;
  readonly overThreshold: boolean;
}

interface Entry {
  time: number;
  score: number;
}

export class SourceScores {
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly maxSources: number;
  private readonly maxEntries: number;
  /** Map iteration order is insertion order: re-inserting on use makes the first key the least recent. */
  private readonly sources = new Map<string, Entry[]>();

  constructor(options: SourceScoreOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_SOURCE_SCORES.windowMs;
    this.threshold = options.threshold ?? DEFAULT_SOURCE_SCORES.threshold;
    this.maxSources = Math.max(1, options.maxSources ?? DEFAULT_SOURCE_SCORES.maxSources);
    this.maxEntries = Math.max(2, options.maxEntriesPerSource ?? DEFAULT_SOURCE_SCORES.maxEntriesPerSource);
  }

  get size(): number {
    return this.sources.size;
  }

  add(sourceKey: string, score: number, now: number): SourceScore {
    const entries = this.live(sourceKey, now) ?? [];
    this.sources.delete(sourceKey);
    if (score > 0) entries.push({ time: now, score });
    if (entries.length > this.maxEntries) {
      const [oldest, next] = entries as [Entry, Entry];
      entries.splice(0, 2, { time: next.time, score: oldest.score + next.score });
    }
    if (entries.length > 0) this.sources.set(sourceKey, entries);
    while (this.sources.size > this.maxSources) {
      const first = this.sources.keys().next().value as string;
      this.sources.delete(first);
    }
    return this.result(entries);
  }

  /** The score a source has now, without adding to it. */
  peek(sourceKey: string, now: number): SourceScore {
    return this.result(this.live(sourceKey, now) ?? []);
  }

  forget(sourceKey: string): void {
    this.sources.delete(sourceKey);
  }

  private live(sourceKey: string, now: number): Entry[] | undefined {
    const entries = this.sources.get(sourceKey);
    if (entries === undefined) return undefined;
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < entries.length && (entries[drop] as Entry).time <= from) drop++;
    if (drop > 0) entries.splice(0, drop);
    return entries;
  }

  private result(entries: readonly Entry[]): SourceScore {
    const total = entries.reduce((sum, e) => sum + e.score, 0);
    return { total, overThreshold: total >= this.threshold };
  }
}
