import type { SecurityEvent } from '../../events/securityEvent.js';
import type { Origin } from '../../intel/origin.js';
import { flowLines } from '../../monitor/evidence/flowLines.js';
import type { Ban } from '../../store/types.js';
import { describeRecurrence, recurrenceOf } from '../../trends/recurrence.js';
import type { AbuseAnswer } from '../rdap/abuseAnswer.js';
import type { SentReport } from '../store/reportLog.js';

/** One stored event as the source file lists it. */
export interface SourceEvent {
  readonly id: string;
  readonly time: string;
  readonly sensor: string;
  readonly action: string;
  readonly threat: { readonly id: string; readonly name: string } | null;
  readonly rule: string | null;
  readonly sourcePort: number | null;
  readonly destination: string | null;
  readonly status: number | null;
  readonly count: number;
  /** Request line or log lines, as stored. */
  readonly evidence: readonly string[];
  /** The packet-log lines the monitor kept with the flow. */
  readonly packetLog: readonly string[];
}

/**
 * Everything bansho knows about one source address, the 2003 admin's incident file: when it
 * was seen, what it did, what bansho did, where it comes from, whether it keeps coming back,
 * and who to tell.
 */
export interface SourceFile {
  readonly ip: string;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** Events stored, with aggregated ones (`dropped`) counted by what they stand for. */
  readonly eventCount: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly threats: ReadonlyArray<{ id: string; name: string; count: number; first: string; last: string }>;
  /** The newest events (up to the listing limit), oldest first. */
  readonly events: readonly SourceEvent[];
  readonly eventsNotListed: number;
  readonly behaviourFindings: readonly SourceEvent[];
  readonly honeypotSessions: readonly SourceEvent[];
  readonly bans: {
    readonly inForce: readonly Ban[];
    readonly history: ReadonlyArray<{ time: string; target: string; until: string; offence: number; reason: string }>;
    /** Bans on record for the address's ban target, expired ones included. */
    readonly offences: number;
  };
  readonly origin: Origin | null;
  readonly recurrence: { readonly episodes: number; readonly text: string };
  readonly abuse: {
    /** The cached RDAP answer; null when never looked up (`bansho abuse IP` looks it up). */
    readonly contact: AbuseAnswer | null;
    readonly reports: readonly SentReport[];
  };
}

export interface SourceFacts {
  readonly ip: string;
  /** Every stored event from the source, in any order. */
  readonly events: readonly SecurityEvent[];
  readonly activeBans: readonly Ban[];
  readonly offences: number;
  readonly origin: Origin | null;
  readonly contact: AbuseAnswer | null;
  readonly reports: readonly SentReport[];
  readonly listLimit: number;
  /** Gap that separates two episodes of activity. */
  readonly episodeGapMs: number;
}

/** Put the source file together. Pure. */
export function buildSourceFile(f: SourceFacts): SourceFile {
  const sorted = [...f.events].sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const actions: Record<string, number> = {};
  const threats = new Map<string, { id: string; name: string; count: number; first: string; last: string }>();
  let eventCount = 0;
  for (const e of sorted) {
    const weight = e.event.count ?? 1;
    eventCount += weight;
    actions[e.event.action] = (actions[e.event.action] ?? 0) + weight;
    const t = e.threat?.software;
    if (!t) continue;
    const seen = threats.get(t.id);
    if (seen) {
      seen.count += 1;
      seen.last = e['@timestamp'];
    } else threats.set(t.id, { id: t.id, name: t.name, count: 1, first: e['@timestamp'], last: e['@timestamp'] });
  }
  const listed = sorted.slice(-f.listLimit);
  const times = sorted.filter((e) => e.threat?.software).map((e) => Date.parse(e['@timestamp']));
  const recurrence = recurrenceOf(f.ip, 'source', times, f.episodeGapMs);
  return {
    ip: f.ip,
    firstSeen: sorted[0]?.['@timestamp'] ?? null,
    lastSeen: sorted[sorted.length - 1]?.['@timestamp'] ?? null,
    eventCount,
    actions,
    threats: [...threats.values()].sort((a, b) => b.count - a.count || a.id.localeCompare(b.id)),
    events: listed.map(sourceEvent),
    eventsNotListed: sorted.length - listed.length,
    behaviourFindings: sorted.filter((e) => e.rule?.category === 'behaviour').map(sourceEvent),
    honeypotSessions: sorted.filter((e) => e.bansho.sensor === 'honeypot').map(sourceEvent),
    bans: {
      inForce: f.activeBans,
      history: sorted
        .filter((e) => e.event.action === 'banned' && e.bansho.ban)
        .map((e) => {
          const b = e.bansho.ban as NonNullable<SecurityEvent['bansho']['ban']>;
          return { time: e['@timestamp'], target: b.target, until: b.until, offence: b.offence, reason: b.reason };
        }),
      offences: f.offences,
    },
    origin: f.origin,
    recurrence: { episodes: recurrence.episodes.length, text: describeRecurrence(recurrence) },
    abuse: { contact: f.contact, reports: f.reports },
  };
}

function sourceEvent(e: SecurityEvent): SourceEvent {
  const dst = e.destination
    ? `${e.destination.ip}${e.destination.port !== undefined ? `:${e.destination.port}` : ''}`
    : null;
  return {
    id: e.event.id,
    time: e['@timestamp'],
    sensor: e.bansho.sensor,
    action: e.event.action,
    threat: e.threat?.software ? { id: e.threat.software.id, name: e.threat.software.name } : null,
    rule: e.rule?.id ?? null,
    sourcePort: e.source.port && e.source.port > 0 ? e.source.port : null,
    destination: dst,
    status: e.http?.response?.status_code ?? null,
    count: e.event.count ?? 1,
    evidence: (e.bansho.evidence ?? '').split('\n').filter((l) => l !== ''),
    packetLog: flowLines(e.bansho.flow),
  };
}
