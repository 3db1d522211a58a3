import { detectionHeader, hashId, SEVERITY_NUMBER } from '../../events/fromObservation.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import type { NetworkAlert } from '../detect/networkAlert.js';
import type { FlowEvidence } from './records.js';

/** A scan or flood finding as a SecurityEvent (same ECS shape as the engine's detections). */
export function alertEvent(alert: NetworkAlert, threatName: string | undefined): SecurityEvent {
  const name = threatName ?? alert.threatId;
  return {
    '@timestamp': new Date(alert.time).toISOString(),
    message: `detected: ${name} from ${alert.source.ip}: ${alert.evidence}`,
    event: detectionHeader({
      id: hashId(`monitor|${alert.ruleId}|${alert.source.ip}|${alert.time}`),
      kind: 'alert',
      action: 'detected',
      sensor: 'monitor',
      severity: SEVERITY_NUMBER.medium,
    }),
    source: { ip: alert.source.ip, port: alert.source.port },
    destination: { ip: alert.destination.ip, port: alert.destination.port },
    network: { transport: alert.transport },
    rule: { id: alert.ruleId, name: alert.ruleName, ruleset: 'bansho', category: alert.tags[0] ?? alert.threatId },
    threat: { software: { id: alert.threatId, name } },
    bansho: {
      sensor: 'monitor',
      evidence: alert.evidence,
      score: 10,
      matches: [{ rule: alert.ruleId, threat: alert.threatId, score: 10, field: 'network', value: alert.evidence }],
    },
  };
}

/**
 * A reported connection, its evidence under `bansho.flow`: the conn record's fields (Zeek's
 * names), and as JSON text (the stored event's `flow` is a flat record) its HTTP requests
 * (`http`, http.log's names) and the DNS answers that led to it (`dns`, dns.log's), then its
 * packet-log lines as printed (`log`). ./storedEvidence.ts reads them back.
 */
export function flowEvent(e: FlowEvidence): SecurityEvent {
  const c = e.conn;
  const flow: Record<string, string | number> = { ...c };
  if (e.http.length > 0) flow.http = JSON.stringify(e.http);
  if (e.dns.length > 0) flow.dns = JSON.stringify(e.dns);
  if (e.lines.length > 0) flow.log = e.lines.join('\n');
  const startMs = c.ts * 1000;
  return {
    '@timestamp': new Date(startMs).toISOString(),
    message: `flow: ${c['id.orig_h']}:${c['id.orig_p']} → ${c['id.resp_h']}:${c['id.resp_p']} ${c.conn_state} ${c.history}`,
    event: {
      id: hashId(`monitor|flow|${c.uid}`),
      kind: 'event',
      category: ['network'],
      type: ['connection'],
      action: 'flow',
      outcome: 'success',
      module: 'bansho',
      dataset: 'bansho.monitor',
      start: new Date(startMs).toISOString(),
      end: new Date(startMs + c.duration * 1000).toISOString(),
    },
    source: { ip: c['id.orig_h'], port: c['id.orig_p'] },
    destination: { ip: c['id.resp_h'], port: c['id.resp_p'] },
    network: { transport: 'tcp', ...(c.service ? { protocol: c.service } : {}) },
    bansho: { sensor: 'monitor', evidence: `${c.conn_state} ${c.history}`, flow },
  };
}
