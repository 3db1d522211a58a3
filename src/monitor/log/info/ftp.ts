import type { FtpData, FtpReply, FtpRequest } from '../../protocols/events.js';
import type { Columns } from '../columns.js';
import { asciiColumnText } from '../columnText.js';

/**
 * FTP in tshark's words (packet-ftp.c, tshark 4.0): on the control connection each segment's
 * first line as `Request: …` or `Response: …`; on a data connection it announced,
 * `FTP Data: N bytes (PASV) (RETR a.txt)` — how the connection was set up and the first
 * command the client sent after that.
 */
export function ftpColumns(e: FtpRequest | FtpReply | FtpData): Columns {
  switch (e.kind) {
    case 'ftp_request':
      return { protocol: 'FTP', info: `Request: ${asciiColumnText(e.line, 0, e.line.length)}` };
    case 'ftp_reply':
      return { protocol: 'FTP', info: `Response: ${asciiColumnText(e.line, 0, e.line.length)}` };
    case 'ftp_data': {
      const setup = e.setup === null ? '' : ` (${e.setup})`;
      const command =
        e.setup === null || e.command === null ? '' : ` (${asciiColumnText(e.command, 0, e.command.length)})`;
      return { protocol: 'FTP-DATA', info: `FTP Data: ${e.length} bytes${setup}${command}` };
    }
  }
}
