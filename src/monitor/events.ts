import { detectionHeader, hashId, SEVERITY_NUMBER } from '../events/fromObservation.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import type { NetworkAlert } from './detect/networkAlert.js';
import type { FlowSummary } from './flows/flow.js';

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

/** A connection summary (Zeek conn.log fields under `bansho.flow`), for trends to count. */
export function flowEvent(flow: FlowSummary, lines: readonly string[]): SecurityEvent {
  const record: Record<string, string | number> = { ...flow };
  if (lines.length > 0) record.log = lines.join('\n');
  return {
    '@timestamp': new Date(flow.ts).toISOString(),
    message: `flow: ${flow.orig_h}:${flow.orig_p} → ${flow.resp_h}:${flow.resp_p} ${flow.conn_state} ${flow.history}`,
    event: {
      id: hashId(`monitor|flow|${flow.uid}`),
      kind: 'event',
      category: ['network'],
      type: ['connection'],
      action: 'flow',
      outcome: 'success',
      module: 'bansho',
      dataset: 'bansho.monitor',
      start: new Date(flow.ts).toISOString(),
      end: new Date(flow.ts + flow.duration * 1000).toISOString(),
    },
    source: { ip: flow.orig_h, port: flow.orig_p },
    destination: { ip: flow.resp_h, port: flow.resp_p },
    network: { transport: 'tcp', ...(flow.service ? { protocol: flow.service } : {}) },
    bansho: { sensor: 'monitor', evidence: `${flow.conn_state} ${flow.history}`, flow: record },
  };
}
