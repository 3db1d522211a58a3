import type { HttpReply, HttpRequest, ProtocolEvent } from '../../protocols/events.js';
import type { Columns } from '../columns.js';
import { formatLatin1 } from '../formatText.js';
import { bodyContent } from './bodyContent.js';
import { mediaColumns } from './media.js';
import { multipartColumns } from './multipart.js';

/**
 * HTTP in tshark's words: each message a segment completes by its first line, with what the
 * media dissector for its body adds (` (text/html)`, `HTTP/JSON`), then `Continuation` for data
 * that starts none, then the first line of a message begun and not finished (`pending`). The
 * column is the first message's.
 */
export function httpColumns(events: readonly ProtocolEvent[], pending: string | undefined): Columns {
  let protocol = '';
  let info = '';
  for (const e of events) {
    let piece: Columns;
    if (e.kind === 'http_request' || e.kind === 'http_reply') piece = messageColumns(e);
    else if (e.kind === 'http_continuation') piece = CONTINUATION;
    else continue;
    if (protocol === '') protocol = piece.protocol;
    info += piece.info;
  }
  if (pending !== undefined) info += `${formatLatin1(pending)} `;
  return { protocol: protocol || 'HTTP', info };
}

const CONTINUATION: Columns = { protocol: 'HTTP', info: 'Continuation' };

function messageColumns(e: HttpRequest | HttpReply): Columns {
  const base = `${formatLatin1(e.firstLine)} `;
  const b = e.body;
  if (b.length === 0) return { protocol: 'HTTP', info: base };
  // A body that decodes to nothing is dissected by nothing (mediaColumns: no suffix).
  const body = bodyContent(b.contentEncoding, b.kept, b.length);
  if (b.boundary !== null) {
    const parts = multipartColumns(body.prefix, b.boundary);
    return { protocol: `HTTP${parts.protocol}`, info: base + parts.suffix };
  }
  const media = mediaColumns(b.contentType, body);
  return { protocol: media.protocol, info: base + media.suffix };
}
