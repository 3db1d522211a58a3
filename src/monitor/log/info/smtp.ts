import type { SmtpData, SmtpMessage, SmtpReply, SmtpRequest } from '../../protocols/events.js';
import { replyCode } from '../../protocols/smtpSyntax.js';
import { lineOrRest } from '../../protocols/textLines.js';
import type { Columns } from '../columns.js';
import { asciiColumnText, fitInfo } from '../columnText.js';
import { imfColumns } from './imf.js';

/**
 * SMTP in tshark's words (packet-smtp.c, tshark 4.0): the client's command lines
 * (`C: EHLO x | MAIL FROM:<a@b>`, AUTH LOGIN's answers labelled `User:` and `Pass:`), the
 * server's replies (`S: 250-mail.example.org | PIPELINING`), message data as
 * `C: DATA fragment, N bytes`, and at the end of a message the mail as IMF shows it (`SMTP/IMF`).
 */
export function smtpColumns(e: SmtpRequest | SmtpReply | SmtpData | SmtpMessage): Columns {
  switch (e.kind) {
    case 'smtp_request':
      return { protocol: 'SMTP', info: fitInfo(requestInfo(e)) };
    case 'smtp_reply':
      return { protocol: 'SMTP', info: fitInfo(replyInfo(e.lines)) };
    case 'smtp_data':
      return { protocol: 'SMTP', info: `C: DATA fragment, ${e.length} byte${e.length === 1 ? '' : 's'}` };
    case 'smtp_message': {
      if (e.message.length === 0) return { protocol: 'SMTP', info: 'C: .' };
      const imf = imfColumns(e.message);
      return { protocol: `SMTP/${imf.protocol}`, info: fitInfo(imf.info) };
    }
  }
}

/** A command frame's Info: its lines after `C: `, joined by ` | `; AUTH LOGIN's answers labelled. */
function requestInfo(e: SmtpRequest): string {
  const pdu = e.lines;
  let info = '';
  for (let at = 0; at < pdu.length; ) {
    const line = lineOrRest(pdu, at);
    info += at === 0 ? 'C: ' : ' | ';
    if (e.auth === 'username') info += `User: ${asciiColumnText(pdu, at, line.end)}`;
    else if (e.auth === 'password') info += `Pass: ${asciiColumnText(pdu, at, line.end)}`;
    else if (e.auth === 'login-with-username' && line.end - at > 5)
      info += `${asciiColumnText(pdu, at, at + 11)}User: ${asciiColumnText(pdu, at + 11, line.end)}`;
    else info += asciiColumnText(pdu, at, line.end);
    at = line.next;
  }
  return info;
}

/** A reply frame's Info: its lines after `S: `; a multiline reply's later lines show their text only. */
function replyInfo(pdu: Uint8Array): string {
  let info = '';
  let continued = false;
  for (let at = 0; at < pdu.length; ) {
    const line = lineOrRest(pdu, at);
    info += at === 0 ? 'S: ' : ' | ';
    const length = line.end - at;
    if (length >= 3 && replyCode(pdu, at) >= 0) {
      if (length >= 4) info += asciiColumnText(pdu, continued ? at + 4 : at, line.end);
      else if (!continued) info += asciiColumnText(pdu, at, line.end);
      continued = length >= 4 && pdu[at + 3] === 0x2d;
    }
    at = line.next;
  }
  return info;
}
