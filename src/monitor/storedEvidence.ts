import type { Writable } from 'node:stream';
import { SqliteEventStore } from '../store/index.js';
import type { SecurityEvent } from '../store/securityEvent.js';

/**
 * The incident view over stored events: every event from one source, oldest first, and under
 * each flow the packet-log lines the monitor kept as evidence. Returns an exit code.
 */
export async function printStoredEvidence(db: string, source: string, out: Writable): Promise<number> {
  const store = new SqliteEventStore(db);
  try {
    const events = await store.query({ sourceIp: source });
    if (events.length === 0) {
      out.write(`no stored events from ${source} in ${db}\n`);
      return 1;
    }
    // A reader that stops early (`| head`) is not an error.
    out.on('error', () => {});
    out.write(events.map(evidenceText).join(''));
    return 0;
  } finally {
    await store.close();
  }
}

export function evidenceText(e: SecurityEvent): string {
  const src = `${e.source.ip}${e.source.port !== undefined ? `:${e.source.port}` : ''}`;
  const dst = e.destination
    ? `${e.destination.ip}${e.destination.port !== undefined ? `:${e.destination.port}` : ''}`
    : '-';
  const threat = e.threat?.software?.id ?? '-';
  const status = e.http?.response?.status_code !== undefined ? ` [${e.http.response.status_code}]` : '';
  let text = `${e['@timestamp']}  ${e.bansho.sensor}  ${e.event.action}  ${threat}  ${src} → ${dst}  ${e.bansho.evidence ?? ''}${status}\n`;
  const log = e.bansho.flow?.log;
  if (typeof log === 'string') for (const line of log.split('\n')) text += `    ${line}\n`;
  return text;
}
