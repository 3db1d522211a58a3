import type { ImapPdu } from '../../protocols/events.js';
import type { Columns } from '../columns.js';
import { fitInfo, formatUtf8 } from '../columnText.js';
import { imfColumns } from './imf.js';

/**
 * IMAP in tshark's words (packet-imap.c, tshark 4.0): `Request: …` or `Response: …` with the
 * segment's tagged line, or the mail an untagged FETCH carries as IMF shows it (`IMAP/IMF`).
 */
export function imapColumns(e: ImapPdu): Columns {
  const label = e.toServer ? 'Request' : 'Response';
  const protocol = e.literal === null ? 'IMAP' : `IMAP/${imfColumns(e.pdu.subarray(...e.literal)).protocol}`;
  let info: string;
  switch (e.shows) {
    case 'line':
      info = `${label}: ${formatUtf8(e.pdu, e.start, e.end, false)}`;
      break;
    case 'literal':
      info = imfColumns(e.pdu.subarray(e.start, e.end)).info;
      break;
    case 'start':
      info = `${label}: ${formatUtf8(e.pdu, 0, e.end, false)}`;
      break;
    case 'nothing':
      info = '';
  }
  if (e.malformed) info += '[Malformed Packet]';
  return { protocol, info: e.held ? info : fitInfo(info) };
}
