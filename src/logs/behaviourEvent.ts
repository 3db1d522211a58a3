import type { BehaviourAlert, RequestSignal } from '../detect/behaviour/httpBehaviour.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { EventPlace } from './lineCore.js';

/** A request a behaviour counted, with the log line it came from (the evidence). */
export interface LoggedSignal extends RequestSignal {
  /** The line, cut to 1024 characters as a threat line's evidence is. */
  readonly line: string;
}

/** Severity of a behaviour finding (ECS 0–100): a medium rule's, as the probes it sums up. */
const SEVERITY = 50;

/**
 * A behaviour finding in an access log as a `detected` event: the source, the threat, and the
 * log lines that filled the bucket as evidence, placed at the line that made it overflow.
 */
export function behaviourEvent(
  alert: BehaviourAlert<LoggedSignal>,
  place: EventPlace,
  threatName: ((id: string) => string | undefined) | undefined,
): SecurityEvent {
  const name = threatName?.(alert.threatId) ?? alert.threatId;
  const last = alert.requests[alert.requests.length - 1] as LoggedSignal;
  return {
    '@timestamp': new Date(alert.time).toISOString(),
    message: `detected: ${name} from ${alert.source}: ${alert.evidence}`,
    event: {
      id: place.id,
      kind: 'alert',
      category: ['network', 'intrusion_detection'],
      type: ['indicator'],
      action: 'detected',
      outcome: 'success',
      module: 'bansho',
      dataset: 'bansho.logs',
      severity: SEVERITY,
    },
    source: { ip: alert.source, port: 0 },
    network: { transport: 'tcp', protocol: 'http' },
    http: { request: { method: last.method }, response: { status_code: last.status } },
    url: { original: last.path, path: last.path },
    rule: { id: alert.ruleId, name: alert.ruleName, ruleset: 'bansho', category: 'behaviour' },
    threat: { software: { id: alert.threatId, name } },
    bansho: {
      sensor: 'logs',
      evidence: alert.requests.map((r) => r.line).join('\n'),
      score: 10,
      matches: [{ rule: alert.ruleId, threat: alert.threatId, score: 10, field: 'behaviour', value: alert.evidence }],
      origin: place.origin,
    },
  };
}
