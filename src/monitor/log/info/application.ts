import type { ProtocolEvent } from '../../protocols/events.js';
import type { Pdus } from '../../protocols/reading.js';
import type { Columns } from '../columns.js';
import { ftpColumns } from './ftp.js';
import { httpColumns } from './http.js';
import { imapColumns } from './imap.js';
import { ircColumns } from './irc.js';
import { pgsqlColumns } from './pgsql.js';
import { pop3Columns } from './pop3.js';
import { smtpColumns } from './smtp.js';
import { sshColumns } from './ssh.js';
import { tlsColumns } from './tls.js';
import { webSocketColumns } from './webSocket.js';

/**
 * The Protocol and Info columns of a segment that completed PDUs, from its events: the first
 * event the log shows decides the protocol; events no column shows (a Client Hello's server
 * name, an IMAP tagged status, a PostgreSQL or MySQL error) are read by others.
 */
export function applicationColumns(events: readonly ProtocolEvent[], reading: Pdus): Columns | null {
  for (const e of events) {
    switch (e.kind) {
      case 'http_request':
      case 'http_reply':
      case 'http_continuation':
        return httpColumns(events, reading.pending);
      case 'smtp_request':
      case 'smtp_reply':
      case 'smtp_data':
      case 'smtp_message':
        return smtpColumns(e);
      case 'ftp_request':
      case 'ftp_reply':
      case 'ftp_data':
        return ftpColumns(e);
      case 'pop3_request':
      case 'pop3_reply':
      case 'pop3_data':
      case 'pop3_message':
        return pop3Columns(e);
      case 'imap_pdu':
        return imapColumns(e);
      case 'pgsql_messages':
        return pgsqlColumns(e);
      case 'ssh_version':
      case 'ssh_message':
      case 'ssh_encrypted':
        return sshColumns(events);
      case 'tls_record':
        return tlsColumns(events);
      case 'websocket_frame':
        return webSocketColumns(events);
      case 'irc_lines':
        return ircColumns(e);
      case 'telnet_data':
        return TELNET;
      default:
        continue;
    }
  }
  return null;
}

const TELNET: Columns = { protocol: 'TELNET', info: 'Telnet Data ...' };
