import type { Writable } from 'node:stream';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { SqliteEventStore } from '../../store/index.js';
import { flowLines } from './flowLines.js';
import type { DnsRecord, HttpRecord } from './records.js';

/**
 * The incident view over stored events: every event from one source, oldest first, and under
 * each flow its evidence — the DNS answers that led to it, its HTTP requests, its packet-log
 * lines (rendered from its packet records, or as an older bansho stored them) — written out
 * from the stored records. Returns an exit code.
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
  const flow = e.bansho.flow;
  if (flow === undefined) return text;
  for (const r of records<DnsRecord>(flow.dns)) text += `    ${dnsLine(r)}\n`;
  for (const r of records<HttpRecord>(flow.http)) text += `    ${httpLine(r)}\n`;
  for (const line of flowLines(flow)) text += `    ${line}\n`;
  return text;
}

/** Records stored as JSON text; none when absent or unreadable (an event from an older bansho). */
function records<T>(field: string | number | undefined): readonly T[] {
  if (typeof field !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(field);
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

/** `dns  www.example.com A → 93.184.216.34 (NOERROR, from 10.0.0.53)`. */
function dnsLine(r: DnsRecord): string {
  const answers = r.answers.length > 0 ? r.answers.join(' ') : '-';
  return `dns   ${r.query} ${r.qtype_name} → ${answers} (${r.rcode_name}, from ${r['id.resp_h']})`;
}

/** `http GET www.example.com/index.html HTTP/1.1 → 200 "curl/8.0"`. */
function httpLine(r: HttpRecord): string {
  const version = r.version !== undefined ? ` HTTP/${r.version}` : '';
  const status = r.status_code !== undefined ? String(r.status_code) : '-';
  const agent = r.user_agent !== undefined ? ` "${r.user_agent}"` : '';
  return `http  ${r.method} ${r.host ?? ''}${r.uri}${version} → ${status}${agent}`;
}
