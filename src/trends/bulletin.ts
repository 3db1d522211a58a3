import type { SecurityEvent } from '../events/securityEvent.js';
import type { Origin } from '../intel/origin.js';
import { countsByPeriod, type PeriodCounts } from './counts.js';
import { describeTrend, type Trend, trendOfFacts } from './direction.js';
import { type EventFact, factOf, isThreatFact } from './eventFacts.js';
import { unitFor } from './periods.js';
import { describeRecurrence, episodesOf, type Recurrence, recurrenceOf } from './recurrence.js';
import { type Ranked, topBy, topPaths, topSources } from './top.js';
import { type WantedByThreat, wantedOf } from './wanted.js';

/** What the bulletin needs to know about a threat (a catalog entry). */
export interface ThreatInfo {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly kind: string;
  readonly firstSeen: string;
  readonly targets: string;
  readonly description: string;
  readonly advice: string;
  readonly references: readonly string[];
}

export interface BulletinInput {
  /** Every stored event from `historySince` on (history feeds recurrence; the window is [since, until)). */
  readonly events: readonly SecurityEvent[];
  readonly since: number;
  readonly until: number;
  readonly threat: (id: string) => ThreatInfo | undefined;
  /** Offline origin lookup; undefined when origins are not available. */
  readonly origin?: (ip: string) => Origin | undefined;
  readonly maxIncidents?: number;
  /** Gap that separates two episodes. */
  readonly episodeGapMs?: number;
  /** What bansho already knows about a source's abuse desk (cached RDAP answer, reports sent); never a lookup. */
  readonly abuse?: (ip: string) => AbuseNote | undefined;
}

/** An incident source's abuse contact as far as the cache knows it, and the last report sent about it. */
export interface AbuseNote {
  /** The abuse desk's address; null when the registry names none. */
  readonly contact: string | null;
  /** The network as the registry names it (`NAME, start - end`). */
  readonly network: string | null;
  readonly lastReport: { readonly sentAt: number; readonly to: string } | null;
}

export interface ThreatSummary {
  readonly id: string;
  readonly name: string;
  readonly total: number;
  readonly sources: number;
  readonly trend: Trend;
  readonly trendText: string;
  readonly recurrence: Recurrence;
  readonly recurrenceText: string;
}

export interface Incident {
  readonly threat: ThreatInfo | { readonly id: string; readonly name: string };
  readonly sourceIp: string;
  readonly origin: Origin | undefined;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly severity: number;
  /** Evidence lines as received (log line, request line, packet-log line), with time and sensor. */
  readonly evidence: ReadonlyArray<{ time: number; sensor: string; line: string }>;
  /** What bansho did: counts per action, and the bans it made. */
  readonly actions: Readonly<Record<string, number>>;
  readonly bans: ReadonlyArray<{ target: string; until: string; offence: number }>;
  /** How often this source came back (all history), and this threat. */
  readonly sourceRecurrence: string;
  readonly threatRecurrence: string;
  /** Other sources of the same threat in the period (a worm's many victims make one incident). */
  readonly otherSources: number;
  /** Undefined when the source's abuse contact was never looked up. */
  readonly abuse: AbuseNote | undefined;
}

export interface Bulletin {
  readonly since: number;
  readonly until: number;
  readonly headline: readonly string[];
  readonly totals: { readonly events: number; readonly sources: number; readonly bans: number };
  readonly threats: readonly ThreatSummary[];
  readonly incidents: readonly Incident[];
  readonly chart: PeriodCounts;
  readonly top: {
    readonly sources: readonly Ranked[];
    readonly countries: readonly Ranked[];
    readonly asns: readonly Ranked[];
    readonly paths: readonly Ranked[];
  };
  readonly threatName: (id: string) => string;
  readonly hasOrigins: boolean;
  /** What the honeypot learnt abusers wanted, per threat (empty without play-along). */
  readonly wanted: readonly WantedByThreat[];
}

const DAY = 86_400_000;

/** Build the bulletin's content from stored events. Pure: everything it needs is passed in. */
export function buildBulletin(input: BulletinInput): Bulletin {
  const { since, until } = input;
  const gap = input.episodeGapMs ?? DAY;
  const all = input.events.map((e) => ({ e, f: factOf(e) }));
  const threatFacts = all.filter(({ f }) => isThreatFact(f));
  const inWindow = threatFacts.filter(({ f }) => f.time >= since && f.time < until);
  const windowFacts = inWindow.map(({ f }) => f);
  const threatName = (id: string): string => input.threat(id)?.name ?? id;
  const windowMs = Math.max(DAY, Math.floor((until - since) / 2));

  const byThreat = groupBy(
    threatFacts.map(({ f }) => f),
    (f) => f.threatId as string,
  );
  const threats: ThreatSummary[] = [];
  for (const [id, facts] of groupBy(windowFacts, (f) => f.threatId as string)) {
    const history = (byThreat.get(id) ?? []).filter((f) => f.time < until);
    const trend = trendOfFacts(history, until, windowMs);
    const recurrence = recurrenceOf(id, 'threat', sortedTimes(history), gap);
    threats.push({
      id,
      name: threatName(id),
      total: sum(facts),
      sources: new Set(facts.map((f) => f.sourceIp)).size,
      trend,
      trendText: describeTrend(trend),
      recurrence,
      recurrenceText: describeRecurrence(recurrence),
    });
  }
  threats.sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));

  const incidents = buildIncidents(input, all, inWindow, threatFacts, gap);
  const banEvents = all.filter(({ f }) => f.action === 'banned' && f.time >= since && f.time < until);
  const origin = input.origin;
  const countryOf = (ip: string): string | null => {
    const o = origin?.(ip);
    return o?.country ? `${o.country.name} (${o.country.code})` : null;
  };
  const asnOf = (ip: string): string | null => {
    const o = origin?.(ip);
    return o?.asn ? `AS${o.asn.number} ${o.asn.org}` : null;
  };

  const totals = {
    events: sum(windowFacts),
    sources: new Set(windowFacts.map((f) => f.sourceIp)).size,
    bans: banEvents.length,
  };
  return {
    since,
    until,
    headline: headlineOf(threats, incidents, totals, until),
    totals,
    threats,
    incidents,
    chart: countsByPeriod(windowFacts, unitFor(until - since), since, until - 1),
    top: {
      sources: topSources(windowFacts),
      countries: origin ? topBy(windowFacts, (f) => countryOf(f.sourceIp)) : [],
      asns: origin ? topBy(windowFacts, (f) => asnOf(f.sourceIp)) : [],
      paths: topPaths(windowFacts),
    },
    threatName,
    hasOrigins: origin !== undefined,
    wanted: wantedOf(input.events, since, until, threatName),
  };
}

type Pair = { e: SecurityEvent; f: EventFact };

function buildIncidents(
  input: BulletinInput,
  all: readonly Pair[],
  inWindow: readonly Pair[],
  threatFacts: readonly Pair[],
  gap: number,
): Incident[] {
  const groups = groupBy([...inWindow], ({ f }) => `${f.sourceIp}\n${f.threatId}`);
  const candidates: Incident[] = [];
  const historyBySource = groupBy(
    threatFacts.map(({ f }) => f).filter((f) => f.time < input.until),
    (f) => f.sourceIp,
  );
  const historyByThreat = groupBy(
    threatFacts.map(({ f }) => f).filter((f) => f.time < input.until),
    (f) => f.threatId as string,
  );
  for (const pairs of groups.values()) {
    const sorted = [...pairs].sort((a, b) => a.f.time - b.f.time);
    // The latest episode of this source and threat within the window is the incident.
    const eps = episodesOf(
      sorted.map((p) => p.f.time),
      gap,
    );
    const last = eps[eps.length - 1];
    if (!last) continue;
    const episode = sorted.filter((p) => p.f.time >= last.start && p.f.time <= last.end);
    const first = episode[0] as Pair;
    const ip = first.f.sourceIp;
    const threatId = first.f.threatId as string;
    const related = all.filter(({ f }) => f.sourceIp === ip && f.time >= last.start - gap && f.time <= last.end + gap);
    const actions: Record<string, number> = {};
    for (const { f } of related) actions[f.action] = (actions[f.action] ?? 0) + f.weight;
    const bans = related
      .filter(({ e }) => e.event.action === 'banned' && e.bansho.ban)
      .map(({ e }) => ({
        target: e.bansho.ban?.target ?? '',
        until: e.bansho.ban?.until ?? '',
        offence: e.bansho.ban?.offence ?? 1,
      }));
    const seenLines = new Set<string>();
    const evidence: Array<{ time: number; sensor: string; line: string }> = [];
    // A behaviour finding's evidence is the run of log lines behind it, one per line.
    const lines = episode.flatMap(({ e, f }) =>
      (e.bansho.evidence ?? e.url?.original ?? '').split('\n').map((line) => ({ f, line })),
    );
    for (const { f, line } of lines) {
      if (evidence.length >= 8) break;
      // Repeats are the point of the 2003 packet log ("… repeated"), but eight identical lines are not.
      const key = line.replace(/^\S+ \S+ \S+ \[[^\]]*\] /, '');
      if (seenLines.has(key) && evidence.length >= 3) continue;
      seenLines.add(key);
      evidence.push({ time: f.time, sensor: f.sensor, line });
    }
    const sourceRec = recurrenceOf(ip, 'source', sortedTimes(historyBySource.get(ip) ?? []), gap);
    const threatRec = recurrenceOf(threatId, 'threat', sortedTimes(historyByThreat.get(threatId) ?? []), gap);
    candidates.push({
      threat: input.threat(threatId) ?? { id: threatId, name: threatId },
      sourceIp: ip,
      origin: input.origin?.(ip),
      start: last.start,
      end: last.end,
      count: last.count,
      severity: Math.max(...episode.map(({ e }) => e.event.severity ?? 0)),
      evidence,
      actions,
      bans,
      sourceRecurrence: describeRecurrence(sourceRec),
      threatRecurrence: describeRecurrence(threatRec),
      otherSources: 0,
      abuse: input.abuse?.(ip),
    });
  }
  candidates.sort((a, b) => b.severity - a.severity || b.count - a.count || b.end - a.end);
  // One incident per threat: the worst source tells the story, the rest are counted.
  const perThreat = new Map<string, Incident>();
  const sourcesPerThreat = new Map<string, number>();
  for (const c of candidates) {
    sourcesPerThreat.set(c.threat.id, (sourcesPerThreat.get(c.threat.id) ?? 0) + 1);
    if (!perThreat.has(c.threat.id)) perThreat.set(c.threat.id, c);
  }
  return [...perThreat.values()]
    .map((c) => ({ ...c, otherSources: (sourcesPerThreat.get(c.threat.id) ?? 1) - 1 }))
    .slice(0, input.maxIncidents ?? 5);
}

function headlineOf(
  threats: readonly ThreatSummary[],
  incidents: readonly Incident[],
  totals: Bulletin['totals'],
  until: number,
): string[] {
  const out: string[] = [];
  if (totals.events === 0) return ['A quiet period: no threat events were recorded.'];
  const returned = new Set<string>();
  for (const t of threats) {
    const r = t.recurrence;
    const last = r.episodes[r.episodes.length - 1];
    if (r.periodDays !== null && last && until - last.start < r.periodDays * DAY) {
      returned.add(t.id);
      out.push(`${t.name} returned: ${describeRecurrence(r)}; the latest began ${isoDay(last.start)}.`);
    }
  }
  for (const t of threats) {
    if (returned.has(t.id)) continue;
    if (t.trend.word === 'new' || t.trend.word === 'rising' || t.trend.word === 'declining' || t.trend.word === 'gone')
      out.push(
        `${t.name} is ${t.trend.word === 'new' ? 'new' : t.trend.word}: ${describeTrend(t.trend).replace(/^\w+: /, '')}.`,
      );
  }
  const top = incidents[0];
  if (top) {
    const where = top.origin?.country
      ? ` (${top.origin.country.name}${top.origin.asn ? `, AS${top.origin.asn.number} ${top.origin.asn.org}` : ''})`
      : '';
    out.push(`Most serious incident: ${top.threat.name} from ${top.sourceIp}${where} on ${isoDay(top.start)}.`);
  }
  out.push(
    `${totals.events} threat event${totals.events === 1 ? '' : 's'} from ${totals.sources} source${totals.sources === 1 ? '' : 's'}; ${totals.bans} ban${totals.bans === 1 ? '' : 's'}.`,
  );
  return out;
}

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function sortedTimes(facts: readonly EventFact[]): number[] {
  return facts.map((f) => f.time).sort((a, b) => a - b);
}

function sum(facts: readonly EventFact[]): number {
  let n = 0;
  for (const f of facts) n += f.weight;
  return n;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
