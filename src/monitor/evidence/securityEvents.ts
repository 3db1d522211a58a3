import { hashId } from '../../events/eventHeader.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { toEvent } from '../../events/toEvent.js';
import type { FlowEvidence } from './records.js';

/**
 * A reported connection, its evidence under `bansho.flow`: the conn record's fields (Zeek's
 * names), and as JSON text (the stored event's `flow` is a flat record) its HTTP requests
 * (`http`, http.log's names) and the DNS answers that led to it (`dns`, dns.log's), then its
 * first packets' records (`packets`, ./packetJson.ts, written by ./packetTable.ts) with the capture's first frame time and
 * precision (`capture_ts`, `capture_precision`), from which ./flowLines.ts renders their
 * packet-log lines. ./storedEvidence.ts reads them back.
 */
export function flowEvent(e: FlowEvidence): SecurityEvent {
  const c = e.conn;
  const record: Record<string, string | number> = { ...c };
  if (e.http.length > 0) record.http = JSON.stringify(e.http);
  if (e.dns.length > 0) record.dns = JSON.stringify(e.dns);
  if (e.packets !== null && e.packets.length > 0 && e.capture !== null) {
    record.packets = e.packets.json();
    record.capture_ts = e.capture.ts;
    record.capture_precision = e.capture.precision;
  }
  const start = c.ts * 1000;
  return toEvent([], {
    seen: 'connection',
    connection: {
      start,
      end: start + c.duration * 1000,
      source: { ip: c['id.orig_h'], port: c['id.orig_p'] },
      destination: { ip: c['id.resp_h'], port: c['id.resp_p'] },
      ...(c.service ? { protocol: c.service } : {}),
      summary: `${c.conn_state} ${c.history}`,
      record,
    },
    action: 'flow',
    sensor: 'monitor',
    id: hashId(`monitor|flow|${c.uid}`),
  });
}
