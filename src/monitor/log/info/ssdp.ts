import { messageStart } from '../../protocols/http/messageStart.js';
import type { Columns } from '../columns.js';
import { formatText } from '../formatText.js';

/** SSDP is HTTP over UDP: `M-SEARCH * HTTP/1.1 `, `NOTIFY * HTTP/1.1 `, `HTTP/1.1 200 OK `. */
export function ssdpColumns(payload: Uint8Array): Columns | null {
  if (messageStart(payload, 0) === null) return null;
  let end = payload.indexOf(0x0a);
  if (end < 0) return null;
  if (end > 0 && payload[end - 1] === 0x0d) end--;
  return { protocol: 'SSDP', info: `${formatText(payload, 0, end)} ` };
}
