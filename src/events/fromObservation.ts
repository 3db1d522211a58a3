import { createHash, randomUUID } from 'node:crypto';
import type { Match, Severity } from '../detect/types.js';
import type { Observation } from '../observe/observation.js';
import type { EventAction, SecurityEvent, SensorName } from './securityEvent.js';

/** ECS `event.severity` numbers for our severity words. */
export const SEVERITY_NUMBER: Readonly<Record<Severity, number>> = {
  info: 10,
  low: 25,
  medium: 50,
  high: 75,
  critical: 100,
};

export interface EventOptions {
  readonly action: EventAction;
  readonly sensor: SensorName;
  /** The threat's display name, from the catalog, for `threat.software.name`. */
  readonly threatName?: (threatId: string) => string | undefined;
  /** Content that identifies this fact for de-duplication (log file + line); a random id otherwise. */
  readonly dedupKey?: string;
  /** The status bansho answered with, when it answered (400 for `blocked`). */
  readonly responseStatus?: number;
  readonly ban?: SecurityEvent['bansho']['ban'];
  readonly origin?: SecurityEvent['bansho']['origin'];
}

/**
 * Turn an Observation and the rules it matched into one SecurityEvent. The worst match (by
 * score, then severity) names the rule and the threat; every match is kept as evidence.
 */
export function eventFromObservation(
  observation: Observation,
  matches: readonly Match[],
  options: EventOptions,
): SecurityEvent {
  const top = worstMatch(matches);
  const request = observation.kind === 'http' ? observation.request : null;
  const ua = request?.headers.find(([n]) => n === 'user-agent')?.[1];
  const threatId = top?.threatId;
  const threatName = threatId ? (options.threatName?.(threatId) ?? threatId) : undefined;
  const evidence = request ? request.line : datagramEvidence(observation);
  const status = options.responseStatus ?? (observation.kind === 'http' ? observation.status : null);

  const event: SecurityEvent = {
    '@timestamp': new Date(observation.time).toISOString(),
    message: describe(options.action, observation.source.ip, threatName, evidence),
    event: detectionHeader({
      id: options.dedupKey ? hashId(options.dedupKey) : randomUUID(),
      kind: matches.length > 0 ? 'alert' : 'event',
      action: options.action,
      sensor: options.sensor,
      ...(top ? { severity: SEVERITY_NUMBER[top.severity] } : {}),
    }),
    source: { ip: observation.source.ip, port: observation.source.port },
    destination: { ip: observation.destination.ip, port: observation.destination.port },
    network: { transport: observation.transport, ...(request ? { protocol: 'http' } : {}) },
    bansho: {
      sensor: options.sensor,
      evidence,
      score: matches.reduce((sum, m) => sum + m.score, 0),
      matches: matches.map((m) => ({
        rule: m.ruleId,
        threat: m.threatId,
        score: m.score,
        field: m.field,
        value: m.value.slice(0, 256),
      })),
      ...(options.ban ? { ban: options.ban } : {}),
      ...(options.origin ? { origin: options.origin } : {}),
    },
  };
  if (request) {
    event.http = {
      ...(request.version ? { version: request.version.replace('HTTP/', '') } : {}),
      request: { method: request.method },
      ...(status !== null && status !== undefined ? { response: { status_code: status } } : {}),
    };
    event.url = {
      original: request.target,
      ...(request.path ? { path: request.path } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(request.authority ? { domain: request.authority.host } : {}),
      ...(request.authority?.port ? { port: request.authority.port } : {}),
    };
    if (ua !== undefined) event.user_agent = { original: ua };
  }
  if (top) {
    event.rule = { id: top.ruleId, name: top.ruleName, ruleset: 'bansho', category: top.tags[0] ?? top.threatId };
    event.threat = { software: { id: top.threatId, name: threatName ?? top.threatId } };
  }
  return event;
}

export function worstMatch(matches: readonly Match[]): Match | undefined {
  let best: Match | undefined;
  for (const m of matches) {
    if (
      !best ||
      m.score > best.score ||
      (m.score === best.score && SEVERITY_NUMBER[m.severity] > SEVERITY_NUMBER[best.severity])
    )
      best = m;
  }
  return best;
}

/**
 * The `event` block of a detection or a decision on one (ECS: a network intrusion-detection
 * event, typed by its action), shared by every producer of such events.
 */
export function detectionHeader(o: {
  readonly id: string;
  readonly kind: 'alert' | 'event';
  readonly action: EventAction;
  readonly sensor: SensorName;
  readonly severity?: number;
}): SecurityEvent['event'] {
  return {
    id: o.id,
    kind: o.kind,
    category: ['network', 'intrusion_detection'],
    type: typesFor(o.action),
    action: o.action,
    outcome: 'success',
    module: 'bansho',
    dataset: `bansho.${o.sensor}`,
    ...(o.severity !== undefined ? { severity: o.severity } : {}),
  };
}

/** A stable, short id for content-derived events. */
export function hashId(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

function typesFor(action: EventAction): string[] {
  switch (action) {
    case 'blocked':
    case 'dropped':
      return ['denied'];
    case 'banned':
      return ['denied', 'creation'];
    case 'unbanned':
      return ['deletion'];
    case 'flow':
      return ['connection'];
    case 'detected':
      return ['indicator'];
  }
}

function describe(action: EventAction, ip: string, threat: string | undefined, evidence: string): string {
  const what = threat ? `${threat} from ${ip}` : `request from ${ip}`;
  return `${action}: ${what}: ${evidence.slice(0, 120)}`;
}

function datagramEvidence(observation: Observation): string {
  if (observation.kind !== 'datagram') return '';
  const p = observation.payload;
  return `${observation.transport.toUpperCase()} ${observation.source.ip}:${observation.source.port} → ${observation.destination.ip}:${observation.destination.port} len=${p.byteLength} first=${Buffer.from(p.subarray(0, 16)).toString('hex')}`;
}
