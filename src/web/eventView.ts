import type { SecurityEvent } from '../events/securityEvent.js';
import type { Origin } from '../intel/origin.js';
import type { StoredEvent } from './eventQueries.js';

/** Where a source comes from, as the pages show it. */
export interface OriginView {
  readonly country: { readonly code: string; readonly name: string } | null;
  readonly asn: { readonly number: number; readonly org: string } | null;
  readonly special: string | null;
}

/**
 * One event as the pages show it: threat, source with origin, the evidence exactly as received
 * (the page renders it as text), and what bansho did. Strings here are attacker-written.
 */
export interface EventView {
  readonly cursor: string;
  readonly seq: number;
  readonly time: string;
  readonly action: SecurityEvent['event']['action'];
  readonly sensor: string;
  readonly threat: { readonly id: string; readonly name: string } | null;
  readonly rule: string | null;
  readonly source: { readonly ip: string; readonly port: number | null; readonly origin: OriginView | null };
  readonly evidence: string;
  readonly userAgent: string | null;
  readonly message: string;
  readonly count: number;
  readonly ban: { readonly target: string; readonly until: string; readonly offence: number } | null;
}

export function originView(o: Origin | undefined): OriginView | null {
  if (!o) return null;
  return {
    country: o.country ? { code: o.country.code, name: o.country.name } : null,
    asn: o.asn ? { number: o.asn.number, org: o.asn.org } : null,
    special: o.special,
  };
}

export function eventView(s: StoredEvent, origin: ((ip: string) => Origin) | null): EventView {
  const e = s.event;
  const software = e.threat?.software;
  const ban = e.bansho.ban;
  return {
    cursor: `${s.ts}:${s.seq}`,
    seq: s.seq,
    time: e['@timestamp'],
    action: e.event.action,
    sensor: e.bansho.sensor,
    threat: software ? { id: software.id, name: software.name } : null,
    rule: e.rule?.name ?? null,
    source: { ip: e.source.ip, port: e.source.port ?? null, origin: originView(origin?.(e.source.ip)) },
    evidence: e.bansho.evidence ?? e.url?.original ?? '',
    userAgent: e.user_agent?.original ?? null,
    message: e.message,
    count: e.event.count ?? 1,
    ban: ban ? { target: ban.target, until: ban.until, offence: ban.offence } : null,
  };
}
