import type { ProtocolEvent, TlsRecord } from '../../protocols/events.js';
import { ALERT_LEVELS, ALERTS, HANDSHAKES } from '../../protocols/tls.js';
import type { Columns } from '../columns.js';

/**
 * TLS in tshark's words: the names of the records a segment completes, joined by commas
 * (`Server Hello, Change Cipher Spec, Encrypted Handshake Message`), under the version column.
 */
export function tlsColumns(events: readonly ProtocolEvent[]): Columns {
  let info = '';
  let version = 'TLS';
  for (const e of events) {
    if (e.kind !== 'tls_record') continue;
    const name = recordName(e);
    info += info === '' ? name : `, ${name}`;
    version = e.version;
  }
  return { protocol: version, info };
}

function recordName(r: TlsRecord): string {
  switch (r.contentType) {
    case 20:
      return 'Change Cipher Spec';
    case 21:
      if (r.alert === null) return 'Encrypted Alert';
      return `Alert (Level: ${ALERT_LEVELS[r.alert[0]] ?? 'Unknown'}, Description: ${ALERTS[r.alert[1]] ?? 'Unknown'})`;
    case 22:
      return r.handshakes.length === 0
        ? 'Encrypted Handshake Message'
        : r.handshakes.map((t) => HANDSHAKES[t] as string).join(', ');
    case 23:
      return 'Application Data';
    case 24:
      return 'Heartbeat';
    default:
      return 'Ignored Unknown Record';
  }
}
