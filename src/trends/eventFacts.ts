import type { SecurityEvent } from '../events/securityEvent.js';

/**
 * The few facts trends need from a SecurityEvent, read once. `weight` is how many facts the
 * event stands for (an aggregated `dropped` event counts its `event.count`).
 */
export interface EventFact {
  readonly time: number;
  readonly threatId: string | null;
  readonly sourceIp: string;
  readonly path: string | null;
  readonly action: SecurityEvent['event']['action'];
  readonly sensor: SecurityEvent['bansho']['sensor'];
  readonly weight: number;
}

export function factOf(e: SecurityEvent): EventFact {
  return {
    time: Date.parse(e['@timestamp']),
    threatId: e.threat?.software?.id ?? null,
    sourceIp: e.source.ip,
    path: targetOf(e),
    action: e.event.action,
    sensor: e.bansho.sensor,
    weight: e.event.count ?? 1,
  };
}

/**
 * Threat events only (what trends count): detections, blocks, drops — not ban bookkeeping or
 * flows, nor the honeypot's sessions (the request that led there is counted already; what the
 * abuser did next has its own section, "What they wanted").
 */
export function isThreatFact(f: EventFact): boolean {
  return (
    f.threatId !== null &&
    f.action !== 'banned' &&
    f.action !== 'unbanned' &&
    f.action !== 'flow' &&
    f.sensor !== 'honeypot'
  );
}

/** What a request aimed at: the path, or for proxy abuse the foreign host (and port) it asked for. */
function targetOf(e: SecurityEvent): string | null {
  const url = e.url;
  if (!url) return null;
  if (url.domain)
    return `${url.domain}${url.port ? `:${url.port}` : ''}${url.path && url.path !== '/' ? url.path : ''}`;
  return url.path ?? null;
}
