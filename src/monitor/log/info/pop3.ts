import type { Pop3Data, Pop3Message, Pop3Reply, Pop3Request } from '../../protocols/events.js';
import type { Columns } from '../columns.js';
import { fitInfo, formatUtf8 } from '../columnText.js';
import { imfColumns } from './imf.js';

/**
 * POP3 in tshark's words (packet-pop.c, tshark 4.0): `C: <first line>` and `S: <first line>`;
 * message data as `S: DATA fragment, N bytes`, and the whole message as IMF shows it (`POP/IMF`).
 */
export function pop3Columns(e: Pop3Request | Pop3Reply | Pop3Data | Pop3Message): Columns {
  switch (e.kind) {
    case 'pop3_request':
    case 'pop3_reply': {
      const who = e.kind === 'pop3_request' ? 'C' : 'S';
      return { protocol: 'POP', info: fitInfo(`${who}: ${formatUtf8(e.line, 0, e.line.length, false)}`) };
    }
    case 'pop3_data':
      return { protocol: 'POP', info: `S: DATA fragment, ${e.length} byte${e.length === 1 ? '' : 's'}` };
    case 'pop3_message': {
      const imf = imfColumns(e.message);
      return { protocol: `POP/${imf.protocol}`, info: fitInfo(imf.info) };
    }
  }
}
