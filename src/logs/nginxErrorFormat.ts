import type { LogRecord } from './record.js';
import { unescapeLogged } from './unescape.js';

/**
 * nginx error-log lines that name a request — `2015/01/21 10:56:10 [error] 2833#0: *16336
 * open() "…" failed …, client: 5.7.9.2, server: localhost, request: "GET /cgi-bin/php4
 * HTTP/1.1", host: "1.2.3.4"` — as fail2ban's nginx filters read them. The request they
 * name is what reached the server, so it goes through the same engine. A syslog prefix
 * (`host nginx[2833]: `) is allowed. The time is the server's local time; it is read as UTC.
 */
export function parseNginxErrorLine(line: string): LogRecord | null {
  const clientAt = line.indexOf(', client: ');
  if (clientAt < 0) return null;
  const timeAt = findTime(line);
  if (timeAt < 0 || timeAt > clientAt) return null;
  const clientStart = clientAt + 10;
  const clientEnd = line.indexOf(',', clientStart);
  const client = line.slice(clientStart, clientEnd < 0 ? line.length : clientEnd).trim();
  if (client === '') return null;
  const requestAt = line.indexOf(', request: "', clientStart);
  let requestLine = '';
  if (requestAt >= 0) {
    const start = requestAt + 12;
    const end = closingQuote(line, start);
    if (end < 0) return null;
    requestLine = unescapeLogged(line.slice(start, end));
  }
  const headers: Array<[string, string]> = [];
  const hostAt = line.indexOf(', host: "', clientStart);
  let vhost: string | null = null;
  if (hostAt >= 0) {
    const end = closingQuote(line, hostAt + 9);
    if (end > 0) {
      vhost = line.slice(hostAt + 9, end);
      headers.push(['host', vhost]);
    }
  }
  const serverAt = line.indexOf(', server: ', clientStart);
  if (vhost === null && serverAt >= 0) {
    const end = line.indexOf(',', serverAt + 10);
    vhost = line.slice(serverAt + 10, end < 0 ? line.length : end).trim() || null;
  }
  return {
    client,
    time: readTime(line, timeAt),
    requestLine,
    status: null,
    bytes: null,
    headers,
    vhost,
    serverPort: null,
  };
}

/** Index of `YYYY/MM/DD HH:MM:SS [` in the first 80 characters, or -1. */
function findTime(line: string): number {
  const limit = Math.min(line.length - 20, 80);
  for (let i = 0; i <= limit; i++) {
    if (
      line[i + 4] === '/' &&
      line[i + 7] === '/' &&
      line[i + 10] === ' ' &&
      line[i + 13] === ':' &&
      line[i + 20] === '['
    ) {
      if (isDigits(line, i, 4) && isDigits(line, i + 11, 2)) return i;
    }
  }
  return -1;
}

function readTime(line: string, at: number): number | null {
  const n = (o: number, l: number) => Number(line.slice(at + o, at + o + l));
  const t = Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2));
  return Number.isNaN(t) ? null : t;
}

function closingQuote(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i;
  }
  return -1;
}

function isDigits(s: string, at: number, len: number): boolean {
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
