import { loadCatalog, loadEngine } from '../../../src/catalog/index.js';
import { builtInBehaviours } from '../../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../../src/events/securityEvent.js';
import { inThreadJudge, Monitor } from '../../../src/monitor/monitor.js';
import { feedRawIp } from './packets.js';

const engine = loadEngine();
const catalog = loadCatalog();

/** Run raw-IP packets (one per 10 ms) through a Monitor judging with the packs; returns the events it emitted. */
export function judgedRun(
  packets: number[][],
  options: { allFlows?: boolean } = {},
): { events: SecurityEvent[]; monitor: Monitor } {
  const events: SecurityEvent[] = [];
  const judge = inThreadJudge({
    behaviours: builtInBehaviours(),
    engine,
    threatName: (id) => catalog.get(id)?.name,
    allFlows: options.allFlows ?? false,
    onEvent: (e) => events.push(e),
  });
  const monitor = new Monitor({ judge, log: true });
  feedRawIp(monitor, packets);
  return { events, monitor };
}

/** The threats named by detections, in order. */
export const threats = (events: SecurityEvent[]): string[] =>
  events.filter((e) => e.event.action === 'detected').map((e) => e.threat?.software?.id ?? '');
