import type { EventFact } from './eventFacts.js';

export interface Ranked {
  readonly key: string;
  readonly count: number;
}

/** The `n` most frequent keys, by summed weight; ties broken by key so output is stable. */
export function topBy(facts: readonly EventFact[], keyOf: (f: EventFact) => string | null, n = 10): Ranked[] {
  const counts = new Map<string, number>();
  for (const f of facts) {
    const k = keyOf(f);
    if (k === null) continue;
    counts.set(k, (counts.get(k) ?? 0) + f.weight);
  }
  return [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .slice(0, n);
}

/** Where sources come from, given a synchronous origin lookup (the offline databases). */
export interface OriginLookup {
  country(ip: string): string | null;
  asn(ip: string): string | null;
}

export function topSources(facts: readonly EventFact[], n = 10): Ranked[] {
  return topBy(facts, (f) => f.sourceIp, n);
}

export function topPaths(facts: readonly EventFact[], n = 10): Ranked[] {
  return topBy(facts, (f) => f.path, n);
}

export function topCountries(facts: readonly EventFact[], origin: OriginLookup, n = 10): Ranked[] {
  return topBy(facts, (f) => origin.country(f.sourceIp), n);
}

export function topAsns(facts: readonly EventFact[], origin: OriginLookup, n = 10): Ranked[] {
  return topBy(facts, (f) => origin.asn(f.sourceIp), n);
}
