import type { EncodedEvent } from '../store/encodedEvent.js';

/** What an analysis counts per threat and per source. */
interface Tally {
  /** Threat lines. */
  count: number;
  /** Behaviour findings (each stands for several lines, none of which need be a threat line). */
  findings: number;
  first: number;
  last: number;
}

export interface ThreatTally extends Tally {
  /**
   * Distinct sources seen with the threat, counted as a source's `threats` gains it: no map of
   * sources per threat, which cost a lookup and an insert per event in maps as large as the
   * log's addresses, for its size alone.
   */
  sources: number;
}

export interface SourceTally extends Tally {
  /** Distinct, in the order first seen: an array, as most sources show one or two (a Set each cost more than the rest of the tally). */
  readonly threats: string[];
}

/** What an analysis saw, across all its files. */
export interface AnalysisStats {
  lines: number;
  parsed: number;
  blank: number;
  garbage: number;
  /** A few garbage lines (bounded), to show the user what did not parse. */
  readonly garbageSamples: string[];
  /** Lines whose request line is `-`: a connection that sent no request (a 408). */
  noRequest: number;
  matchedLines: number;
  /** Behaviour findings: a source's run of requests overflowed a bucket (../detect/behaviour/). */
  findings: number;
  first: number | null;
  last: number | null;
  readonly threats: Map<string, ThreatTally>;
  readonly sources: Map<string, SourceTally>;
  readonly formats: Map<string, string>;
}

/** The stats of an analysis that has read nothing yet. */
export function emptyAnalysisStats(): AnalysisStats {
  return {
    lines: 0,
    parsed: 0,
    blank: 0,
    garbage: 0,
    garbageSamples: [],
    noRequest: 0,
    matchedLines: 0,
    findings: 0,
    first: null,
    last: null,
    threats: new Map(),
    sources: new Map(),
    formats: new Map(),
  };
}

/** Count an event for its threat and source: a threat line (`count`) or a behaviour finding. */
export function tallyEvent(stats: AnalysisStats, event: EncodedEvent, as: 'count' | 'findings'): void {
  const t = event.ts;
  const ip = event.sourceIp;
  if (stats.first === null || t < stats.first) stats.first = t;
  if (stats.last === null || t > stats.last) stats.last = t;
  const threatId = event.threatId ?? 'unknown';
  let threat = stats.threats.get(threatId);
  if (threat === undefined) {
    threat = { count: 0, findings: 0, first: t, last: t, sources: 0 };
    stats.threats.set(threatId, threat);
  }
  counted(threat, as, t);
  let source = stats.sources.get(ip);
  if (source === undefined) {
    // A literal of one: pushed into, an empty array would take room for 17.
    source = { count: 0, findings: 0, first: t, last: t, threats: [threatId] };
    stats.sources.set(ip, source);
    threat.sources++;
  } else if (!source.threats.includes(threatId)) {
    source.threats.push(threatId);
    threat.sources++;
  }
  counted(source, as, t);
}

/** One more line or finding in `tally`, widening its span to `t`. */
function counted(tally: Tally, as: 'count' | 'findings', t: number): void {
  tally[as]++;
  if (t < tally.first) tally.first = t;
  if (t > tally.last) tally.last = t;
}
