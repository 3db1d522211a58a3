import type { SecurityEvent } from '../events/securityEvent.js';
import type { Ranked } from './top.js';

/**
 * What abusers wanted, per threat, from the honeypot's sessions (sensor `honeypot`): the
 * mailboxes and domains their messages were addressed to, their subjects, the IRC channels their
 * bots joined, the hosts they asked the "proxy" for, the names their TLS hellos carried.
 */
export interface WantedByThreat extends Readonly<Record<WantedList, readonly Ranked[]>> {
  readonly threatId: string;
  readonly threatName: string;
  readonly sessions: number;
  readonly sources: number;
  /** Messages taken (and never delivered). */
  readonly messages: number;
}

/** The ranked lists of a WantedByThreat, each the top keys of one field of the sessions or their messages. */
export type WantedList =
  | 'recipientDomains'
  | 'recipients'
  | 'subjects'
  | 'ircChannels'
  | 'destinations'
  | 'serverNames';

const TOP = 10;

/** The honeypot's events in [since, until), per threat, most sessions first. Pure. */
export function wantedOf(
  events: readonly SecurityEvent[],
  since: number,
  until: number,
  threatName: (id: string) => string,
): WantedByThreat[] {
  const byThreat = new Map<string, SecurityEvent[]>();
  for (const e of events) {
    if (e.bansho.sensor !== 'honeypot' || e.bansho.honeypot === undefined) continue;
    const t = Date.parse(e['@timestamp']);
    if (t < since || t >= until) continue;
    const id = e.threat?.software?.id ?? 'unknown';
    const list = byThreat.get(id);
    if (list) list.push(e);
    else byThreat.set(id, [e]);
  }
  const out: WantedByThreat[] = [];
  for (const [id, list] of byThreat) {
    const messages = list.filter((e) => e.email !== undefined);
    // A session's own event has no email block; its messages each have one.
    const sessions = list.filter((e) => e.email === undefined);
    const recipients = messages.flatMap((e) => e.email?.to?.address ?? []);
    out.push({
      threatId: id,
      threatName: threatName(id),
      sessions: new Set(list.map((e) => e.bansho.honeypot?.session)).size,
      sources: new Set(list.map((e) => e.source.ip)).size,
      messages: messages.length,
      recipientDomains: rank(recipients.map(domainOf)),
      recipients: rank(recipients.map((r) => r.toLowerCase())),
      subjects: rank(messages.map((e) => e.email?.subject ?? null)),
      ircChannels: rank(sessions.flatMap((e) => e.bansho.honeypot?.irc?.channels ?? [])),
      destinations: rank(sessions.map((e) => e.bansho.honeypot?.requested ?? null)),
      serverNames: rank(sessions.map((e) => e.tls?.client?.server_name ?? null)),
    });
  }
  return out.sort((a, b) => b.sessions - a.sessions || (a.threatId < b.threatId ? -1 : 1));
}

/** The domain of an address (`user@Example.DE` → `example.de`); an address without one stands for itself. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(at + 1)).toLowerCase();
}

function rank(keys: ReadonlyArray<string | null>): Ranked[] {
  const counts = new Map<string, number>();
  for (const k of keys) if (k !== null && k !== '') counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .slice(0, TOP);
}
