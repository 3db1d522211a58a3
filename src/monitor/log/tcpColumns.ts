import type { PacketLine } from '../evidence/packetRecord.js';
import type { Columns } from './columns.js';
import { formatLatin1 } from './formatText.js';
import { applicationColumns } from './info/application.js';
import { pgsqlMark } from './info/pgsql.js';
import { writeTcpInfo } from './info/tcp.js';
import type { LineBuffer } from './lineBuffer.js';

const SEGMENT_NOTE = ' [TCP segment of a reassembled PDU]';

/**
 * A TCP segment's columns as tshark shows them: the analysis notes (`[TCP Retransmission]`),
 * then the application's Info when the segment completed PDUs, or TCP's own text — marked as a
 * segment of a reassembled PDU when it carried part of one.
 *
 * Null for the commonest line of all, protocol TCP and Info the notes and TCP's own text: the
 * caller writes that straight into its output (writeTcpInfo). `prefix` is the segment's analysis
 * notes (./info/analysisNotes.ts), `scratch` where TCP's text is made when it is part of another Info.
 */
export function tcpColumns(r: PacketLine, prefix: string, scratch: LineBuffer): Columns | null {
  const reading = r.reading;
  if (reading !== null && reading.kind === 'pdus') {
    const app = applicationColumns(r.events, reading);
    if (app !== null) return { protocol: app.protocol, info: prefix + app.info };
  }
  // The TCP text is built only when the Info shows it (not under an HTTP or TLS message).
  if (reading === null || reading.kind === 'pdus') return null;
  if (reading.begins && (r.reader === 'tls' || r.reader === 'ssh'))
    // A record's first segment: tshark clears the Info, leaving only the note.
    return { protocol: 'TCP', info: prefix + SEGMENT_NOTE.slice(1) };
  if (reading.begins && r.reader === 'pgsql')
    return { protocol: 'TCP', info: prefix + pgsqlMark(r.to_server) + SEGMENT_NOTE };
  const named = reading.pending === undefined ? undefined : `${formatLatin1(reading.pending)} `;
  if (reading.afterLost) return { protocol: 'TCP', info: prefix + tcpText(r, scratch) + SEGMENT_NOTE + (named ?? '') };
  return { protocol: 'TCP', info: prefix + (named ?? tcpText(r, scratch)) + SEGMENT_NOTE };
}

function tcpText(r: PacketLine, scratch: LineBuffer): string {
  scratch.clear();
  writeTcpInfo(scratch, r);
  return scratch.textFrom(0);
}
