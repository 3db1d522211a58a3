import type { PacketLine } from '../evidence/packetRecord.js';
import { writeHead } from './columns.js';
import { analysisNotes } from './info/analysisNotes.js';
import { writeTcpInfo } from './info/tcp.js';
import type { LineBuffer } from './lineBuffer.js';
import { tcpColumns } from './tcpColumns.js';

/**
 * The packet-log line of one TCP segment, from its record (../evidence/packetRecord.ts) and
 * the events in it, without its line end: the one renderer of TCP lines, for the live log
 * (./packetLog.ts) and for a stored flow's evidence (../evidence/flowLines.ts) alike, so both
 * read the same. `scratch` is where TCP's text is made when it is part of another Info.
 */
export function writeTcpLine(out: LineBuffer, r: PacketLine, scratch: LineBuffer): void {
  const notes = analysisNotes(r);
  const c = tcpColumns(r, notes, scratch);
  writeHead(out, r.frame, r.rel_ns, r.precision, r.src_h, r.dst_h, c?.protocol ?? 'TCP', r.len);
  if (c !== null) out.text(c.info);
  else {
    if (notes !== '') out.text(notes);
    writeTcpInfo(out, r);
  }
}
