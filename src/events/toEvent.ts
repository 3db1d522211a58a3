/**
 * The one way a SecurityEvent is made. Every sensor hands `toEvent` what it found (findings of
 * any family: src/detect/finding.ts) and the context of the fact — what it saw (an
 * Observation, the finding's own place, a connection, drops at accept), what was done, under
 * which id — so one request's data reaches the store by the same function from the gateway,
 * the log analyzer and the monitor.
 */
import { randomUUID } from 'node:crypto';
import {
  type BehaviourFinding,
  EVIDENCE_VALUE_CHARS,
  type Finding,
  findingPlace,
  type NetworkFinding,
  worstFinding,
} from '../detect/finding.js';
import type { Endpoint, Observation } from '../observe/observation.js';
import { type BanTerms, banFields } from './banFields.js';
import { detectionHeader, SEVERITY_NUMBER } from './eventHeader.js';
import type { EventAction, SecurityEvent, SensorName } from './securityEvent.js';

/** A line quoted whole as evidence (an access-log line) is kept to this many characters. */
export const QUOTED_LINE_CHARS = 1024;

/** How much of the evidence an event's one-line message repeats. */
export const MESSAGE_EVIDENCE_CHARS = 120;

/** What every event says of itself, whatever was seen. */
export interface EventFacts {
  readonly action: EventAction;
  readonly sensor: SensorName;
  /** The threat's display name, from the catalog, for `threat.software.name`. */
  readonly threatName?: ((threatId: string) => string | undefined) | undefined;
  /**
   * The id: content-derived (`hashId`) for a fact a sensor may see twice (a log re-imported, a
   * capture read again), random when absent.
   */
  readonly id?: string;
  /** The status bansho answered with, when it answered (400 for `blocked`). */
  readonly responseStatus?: number;
  /** The ban this fact led to (`banned`). */
  readonly ban?: BanTerms | null;
  /** Where a log-sourced event came from, so re-imports are recognised. */
  readonly origin?: { readonly file: string; readonly line: number };
}

/** A connection as a flow event summarises it (Zeek's conn.log, `bansho.flow`). */
export interface ConnectionFacts {
  readonly start: number;
  readonly end: number;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly protocol?: string;
  /** State and history, one line. */
  readonly summary: string;
  readonly record: Record<string, string | number>;
}

/** Connections of one ban closed at accept, tallied over an interval. */
export interface DropFacts {
  /** The ban's target (`203.0.113.7/32`, a /64). */
  readonly target: string;
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly port: number;
  /** The first few distinct addresses dropped. */
  readonly addresses: readonly string[];
  /** More distinct addresses than `addresses` were dropped. */
  readonly more: boolean;
}

/** What was seen. */
export type Seen =
  /** A request or datagram; `evidence` is how the sensor quotes it (a log line), its request line by default. */
  | { readonly seen: 'observation'; readonly observation: Observation; readonly evidence?: string }
  /** Nothing but the finding: a behaviour's run of requests, a network detector's endpoints. */
  | { readonly seen: 'finding' }
  | { readonly seen: 'connection'; readonly connection: ConnectionFacts }
  | { readonly seen: 'drops'; readonly drops: DropFacts };

export type EventContext = EventFacts & Seen;

/**
 * One fact as a SecurityEvent. The worst finding (by score, then severity) names the rule and
 * the threat; every finding is listed as evidence (`bansho.matches`), each value bounded.
 */
export function toEvent(findings: Finding | readonly Finding[], context: EventContext): SecurityEvent {
  const list: readonly Finding[] = Array.isArray(findings) ? findings : [findings as Finding];
  const top = worstFinding(list);
  const threatName = top ? (context.threatName?.(top.threatId) ?? top.threatId) : undefined;
  const place = placeOf(context, top);
  const event: SecurityEvent = {
    '@timestamp': new Date(place.time).toISOString(),
    message: place.message ?? describe(context.action, place.source.ip, threatName, place.summary),
    event: place.header({
      id: context.id ?? randomUUID(),
      kind: list.length > 0 ? 'alert' : 'event',
      action: context.action,
      sensor: context.sensor,
      ...(top ? { severity: SEVERITY_NUMBER[top.severity] } : {}),
    }),
    source: place.source,
    ...place.fields,
    ...(top
      ? {
          rule: { id: top.ruleId, name: top.ruleName, ruleset: 'bansho', category: top.tags[0] ?? top.threatId },
          threat: { software: { id: top.threatId, name: threatName ?? top.threatId } },
        }
      : {}),
    bansho: {
      sensor: context.sensor,
      evidence: place.evidence,
      ...(place.scored ? { score: list.reduce((sum, f) => sum + f.score, 0), matches: list.map(listed) } : {}),
      ...(context.ban ? { ban: banFields(context.ban) } : {}),
      ...(place.flow ? { flow: place.flow } : {}),
      // Last: a log worker writes a threat line's event up to here, its place appended later (logs/threatJson.ts).
      ...(context.origin ? { origin: context.origin } : {}),
    },
  };
  return event;
}

type Fields = Pick<SecurityEvent, 'destination' | 'network' | 'http' | 'url' | 'user_agent'>;

/** What the context (or the finding) tells of where and when. */
interface Place {
  readonly time: number;
  readonly source: SecurityEvent['source'];
  readonly fields: Fields;
  /** What the message repeats (cut short where it may be long). */
  readonly summary: string;
  /** A message of its own, where the usual "action: threat from ip: summary" does not fit. */
  readonly message?: string;
  readonly evidence: string;
  /** Whether the event lists its findings and their score (facts with none do not). */
  readonly scored: boolean;
  readonly flow?: Record<string, string | number>;
  readonly header: (o: Parameters<typeof detectionHeader>[0]) => SecurityEvent['event'];
}

function placeOf(context: EventContext, top: Finding | undefined): Place {
  switch (context.seen) {
    case 'observation':
      return observed(context.observation, context.evidence, context.responseStatus);
    case 'finding':
      if (top === undefined || top.family === 'rule')
        throw new Error('toEvent: a rule finding has no place of its own; give the observation it matched');
      return top.family === 'behaviour' ? behaviourPlace(top) : networkPlace(top);
    case 'connection':
      return connectionPlace(context.connection);
    case 'drops':
      return dropsPlace(context.drops);
  }
}

function observed(observation: Observation, quoted: string | undefined, responseStatus: number | undefined): Place {
  const request = observation.kind === 'http' ? observation.request : null;
  const summary = request ? request.line : datagramEvidence(observation);
  const fields: { -readonly [K in keyof Fields]: Fields[K] } = {
    destination: { ip: observation.destination.ip, port: observation.destination.port },
    network: { transport: observation.transport, ...(request ? { protocol: 'http' } : {}) },
  };
  if (request) {
    const status = responseStatus ?? (observation.kind === 'http' ? observation.status : null);
    const ua = request.headers.find(([n]) => n === 'user-agent')?.[1];
    fields.http = {
      ...(request.version ? { version: request.version.replace('HTTP/', '') } : {}),
      request: { method: request.method },
      ...(status !== null && status !== undefined ? { response: { status_code: status } } : {}),
    };
    fields.url = {
      original: request.target,
      ...(request.path ? { path: request.path } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(request.authority ? { domain: request.authority.host } : {}),
      ...(request.authority?.port ? { port: request.authority.port } : {}),
    };
    if (ua !== undefined) fields.user_agent = { original: ua };
  }
  return {
    time: observation.time,
    source: { ip: observation.source.ip, port: observation.source.port },
    fields,
    summary: summary.slice(0, MESSAGE_EVIDENCE_CHARS),
    evidence: quoted === undefined ? summary : bounded(quoted, QUOTED_LINE_CHARS),
    scored: true,
    header: detectionHeader,
  };
}

/** A behaviour finding in a log: the request that made the bucket overflow, the latest few as evidence. */
function behaviourPlace(f: BehaviourFinding): Place {
  const last = f.last;
  return {
    time: f.time,
    source: { ip: f.source, port: 0 },
    fields: {
      network: { transport: 'tcp', protocol: 'http' },
      http: { request: { method: last.method }, response: { status_code: last.status } },
      url: { original: last.path, path: last.path },
    },
    summary: f.evidence,
    evidence: f.samples.join('\n'),
    scored: true,
    header: detectionHeader,
  };
}

function networkPlace(f: NetworkFinding): Place {
  return {
    time: f.time,
    source: { ip: f.source.ip, port: f.source.port },
    fields: { destination: { ip: f.destination.ip, port: f.destination.port }, network: { transport: f.transport } },
    summary: f.evidence,
    evidence: f.evidence,
    scored: true,
    header: detectionHeader,
  };
}

function connectionPlace(c: ConnectionFacts): Place {
  const { source: s, destination: d } = c;
  return {
    time: c.start,
    source: { ip: s.ip, port: s.port },
    fields: {
      destination: { ip: d.ip, port: d.port },
      network: { transport: 'tcp', ...(c.protocol ? { protocol: c.protocol } : {}) },
    },
    summary: c.summary,
    message: `flow: ${s.ip}:${s.port} → ${d.ip}:${d.port} ${c.summary}`,
    evidence: c.summary,
    scored: false,
    flow: c.record,
    header: (o) => ({
      ...detectionHeader(o),
      category: ['network'],
      start: new Date(c.start).toISOString(),
      end: new Date(c.end).toISOString(),
    }),
  };
}

function dropsPlace(d: DropFacts): Place {
  const addresses = d.addresses;
  const source = addresses[0] ?? '';
  const single = d.target === `${source}/32` && !d.more && addresses.length === 1;
  const from = single
    ? `banned ${source}`
    : `banned ${d.target} (${addresses.length}${d.more ? '+' : ''} address${addresses.length === 1 && !d.more ? '' : 'es'}: ${addresses.join(', ')}${d.more ? ', …' : ''})`;
  return {
    time: d.last,
    source: { ip: source, port: d.port },
    fields: { network: { transport: 'tcp' } },
    summary: from,
    message: `dropped: ${d.count} connection${d.count === 1 ? '' : 's'} from ${from}`,
    evidence: `${d.count} connection(s) closed at accept under the ban on ${d.target}`,
    scored: false,
    header: (o) => ({
      ...detectionHeader(o),
      count: d.count,
      start: new Date(d.first).toISOString(),
      end: new Date(d.last).toISOString(),
    }),
  };
}

function listed(f: Finding): NonNullable<SecurityEvent['bansho']['matches']>[number] {
  const { field, value } = findingPlace(f);
  return { rule: f.ruleId, threat: f.threatId, score: f.score, field, value: bounded(value, EVIDENCE_VALUE_CHARS) };
}

function bounded(text: string, chars: number): string {
  return text.length > chars ? text.slice(0, chars) : text;
}

function describe(action: EventAction, ip: string, threat: string | undefined, summary: string): string {
  const what = threat ? `${threat} from ${ip}` : `request from ${ip}`;
  return `${action}: ${what}: ${summary}`;
}

function datagramEvidence(observation: Observation): string {
  if (observation.kind !== 'datagram') return '';
  const p = observation.payload;
  return `${observation.transport.toUpperCase()} ${observation.source.ip}:${observation.source.port} → ${observation.destination.ip}:${observation.destination.port} len=${p.byteLength} first=${Buffer.from(p.subarray(0, 16)).toString('hex')}`;
}
