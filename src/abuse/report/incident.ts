import { createHash } from 'node:crypto';
import type { SecurityEvent } from '../../events/securityEvent.js';
import type { ThreatInfo } from '../../trends/bulletin.js';

/** One threat an incident shows, with what the catalog says about it (when it knows it). */
export interface IncidentThreat {
  readonly id: string;
  readonly name: string;
  readonly count: number;
  readonly info: ThreatInfo | null;
}

/** What bansho did about the source during the incident. */
export interface IncidentActions {
  readonly blocked: number;
  readonly detected: number;
  /** Connections closed at accept while the source was banned. */
  readonly dropped: number;
  readonly bans: ReadonlyArray<{ readonly target: string; readonly until: string; readonly offence: number }>;
}

/** The events from one source that one abuse report tells about. */
export interface AbuseIncident {
  readonly ip: string;
  readonly start: number;
  readonly end: number;
  /** Every event the report covers, oldest first (threat events, bans, drops). */
  readonly events: readonly SecurityEvent[];
  /** Events that carry a threat: what happened, as opposed to what bansho did. */
  readonly attacks: number;
  readonly threats: readonly IncidentThreat[];
  readonly actions: IncidentActions;
  /** The attacked service, where the events say it (the most frequent destination port). */
  readonly service: { readonly protocol: string | null; readonly port: number | null };
  /** Stable for the same events: the same incident keeps the same id. */
  readonly reportKey: string;
}

/** Events that are part of an incident: everything but flow summaries and unbans. */
export function isIncidentEvent(e: SecurityEvent): boolean {
  return e.event.action !== 'flow' && e.event.action !== 'unbanned';
}

export function hasThreat(e: SecurityEvent): boolean {
  return e.threat?.software?.id !== undefined;
}

/**
 * The incident the given events make, or null when none of them carries a threat (drops and
 * bans alone are what bansho did, not something to report). Pure.
 */
export function buildIncident(
  ip: string,
  events: readonly SecurityEvent[],
  threat: (id: string) => ThreatInfo | undefined,
): AbuseIncident | null {
  const covered = events
    .filter(isIncidentEvent)
    .slice()
    .sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const attacks = covered.filter(hasThreat);
  if (attacks.length === 0) return null;
  const times = covered.map((e) => Date.parse(e['@timestamp']));

  const counts = new Map<string, number>();
  for (const e of attacks) {
    const id = e.threat?.software?.id as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const threats = [...counts]
    .map(([id, count]) => {
      const info = threat(id) ?? null;
      const name = info?.name ?? attacks.find((e) => e.threat?.software?.id === id)?.threat?.software?.name ?? id;
      return { id, name, count, info };
    })
    .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));

  let blocked = 0;
  let detected = 0;
  let dropped = 0;
  const bans: Array<{ target: string; until: string; offence: number }> = [];
  for (const e of covered) {
    const action = e.event.action;
    if (action === 'blocked') blocked++;
    else if (action === 'detected') detected++;
    else if (action === 'dropped') dropped += e.event.count ?? 1;
    // A ban is made by the request that earned it; that request was refused too.
    if (action === 'banned' && e.bansho.ban) {
      if (hasThreat(e)) blocked++;
      bans.push({ target: e.bansho.ban.target, until: e.bansho.ban.until, offence: e.bansho.ban.offence });
    }
  }

  return {
    ip,
    start: Math.min(...times),
    end: Math.max(...times),
    events: covered,
    attacks: attacks.length,
    threats,
    actions: { blocked, detected, dropped, bans },
    service: serviceOf(attacks),
    reportKey: createHash('sha256')
      .update(`${ip}\n${covered.map((e) => e.event.id).join('\n')}`)
      .digest('hex')
      .slice(0, 24),
  };
}

function serviceOf(events: readonly SecurityEvent[]): AbuseIncident['service'] {
  const ports = new Map<number, number>();
  for (const e of events) {
    const port = e.destination?.port;
    if (port !== undefined && port > 0) ports.set(port, (ports.get(port) ?? 0) + 1);
  }
  const port = [...ports].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
  const protocol = events.find((e) => e.network?.protocol)?.network?.protocol ?? null;
  return { protocol, port };
}
