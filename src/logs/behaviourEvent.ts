import { type BehaviourAlert, findingMatch, type RequestSignal } from '../detect/behaviour/httpBehaviour.js';
import { detectionHeader, SEVERITY_NUMBER } from '../events/fromObservation.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import type { EventPlace } from './eventPlace.js';

/** A request a behaviour counted, with the log line it came from (the evidence). */
export interface LoggedSignal extends RequestSignal {
  /** The line, cut to 1024 characters as a threat line's evidence is. */
  readonly line: string;
}

/**
 * A behaviour finding in an access log as a `detected` event: the source, the threat, and the
 * latest log lines that filled the bucket as evidence (a few, cut short: see
 * HttpBehaviour), placed at the line that made it overflow.
 */
export function behaviourEvent(
  alert: BehaviourAlert<LoggedSignal>,
  place: EventPlace,
  threatName: ((id: string) => string | undefined) | undefined,
): SecurityEvent {
  const name = threatName?.(alert.threatId) ?? alert.threatId;
  const match = findingMatch(alert);
  const last = alert.last;
  return {
    '@timestamp': new Date(alert.time).toISOString(),
    message: `detected: ${name} from ${alert.source}: ${alert.evidence}`,
    event: detectionHeader({
      id: place.id,
      kind: 'alert',
      action: 'detected',
      sensor: 'logs',
      severity: SEVERITY_NUMBER[match.severity],
    }),
    source: { ip: alert.source, port: 0 },
    network: { transport: 'tcp', protocol: 'http' },
    http: { request: { method: last.method }, response: { status_code: last.status } },
    url: { original: last.path, path: last.path },
    rule: { id: alert.ruleId, name: alert.ruleName, ruleset: 'bansho', category: 'behaviour' },
    threat: { software: { id: alert.threatId, name } },
    bansho: {
      sensor: 'logs',
      evidence: alert.samples.join('\n'),
      score: match.score,
      matches: [
        { rule: match.ruleId, threat: match.threatId, score: match.score, field: match.field, value: match.value },
      ],
      origin: place.origin,
    },
  };
}
