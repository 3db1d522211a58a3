/** What an HTTP/1.x message head says about its framing and content, read leniently. */
export interface HeadFacts {
  readonly firstLine: string;
  readonly contentLength: number | null;
  readonly chunked: boolean;
  readonly upgrade: boolean;
  /** The media type without parameters, lower-cased. */
  readonly contentType: string | null;
}

/**
 * Read a message head (latin1 text, LF or CRLF line ends). Shared by the HTTP cutter and the
 * packet log so that both find the same message boundaries.
 */
export function headFacts(head: string): HeadFacts {
  const lines = head.split(/\r?\n/);
  let contentLength: number | null = null;
  let chunked = false;
  let upgrade = false;
  let contentType: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length' && /^\d{1,15}$/.test(value)) contentLength = Number(value);
    else if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) chunked = true;
    else if (name === 'upgrade') upgrade = true;
    else if (name === 'content-type') contentType = (value.split(';')[0] ?? '').trim().toLowerCase();
  }
  return { firstLine: lines[0] ?? '', contentLength, chunked, upgrade, contentType };
}
