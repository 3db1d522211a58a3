import type { HttpRequest } from '../observe/observation.js';
import { IRC_MAX_LINE, IrcDialogue } from './ircDialogue.js';
import { LineReader } from './lineReader.js';

/** Hop-by-hop fields a proxy consumes (RFC 9110 §7.6.1): a judge behind it never sees them. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * What a proxy judge (azenv.php, the "AZ Environment variables" script proxy checkers use)
 * prints when the request came through an elite proxy: the prober's own request headers, its
 * own address as REMOTE_ADDR, and no Via or X-Forwarded-For. The prober concludes it found an
 * anonymous open proxy and sends what it really wanted next.
 */
export function azenvAnswer(request: HttpRequest, client: { ip: string; port: number }, now: number): Buffer {
  const seconds = Math.floor(now / 1000);
  const uri =
    request.form === 'absolute' ? `${request.path || '/'}${request.query ? `?${request.query}` : ''}` : request.target;
  const lines = [
    `REMOTE_ADDR = ${client.ip}`,
    `REMOTE_PORT = ${client.port}`,
    `REQUEST_METHOD = ${request.method.toUpperCase()}`,
    `REQUEST_URI = ${uri}`,
    `REQUEST_TIME_FLOAT = ${(now / 1000).toFixed(4)}`,
    `REQUEST_TIME = ${seconds}`,
  ];
  for (const [name, value] of request.headers) {
    if (HOP_BY_HOP.has(name)) continue;
    lines.push(`HTTP_${name.toUpperCase().replace(/-/g, '_')} = ${value}`);
  }
  const body =
    '<html><head><title>AZ Environment variables 1.04</title></head><body><pre>\n' +
    `${lines.map(escapeHtml).join('\n')}\n</pre></body></html>\n`;
  const head = [
    'HTTP/1.1 200 OK',
    `Date: ${new Date(now).toUTCString()}`,
    'Server: Apache',
    'Content-Type: text/html',
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    'Connection: close',
  ];
  const bytes = `${head.join('\r\n')}\r\n\r\n${request.method.toUpperCase() === 'HEAD' ? '' : body}`;
  return Buffer.from(bytes, 'latin1');
}

/**
 * An absolute-form request to an IRC port, as an old open proxy relays it: the request goes to
 * the IRC server line by line (a POST's body may well be `NICK`, `USER`, `JOIN`: the cross-protocol
 * trick bots used), and what the server says comes back after a `200` (a non-HTTP answer passed
 * on as the body, HTTP/0.9 style). The dialogue is the same state machine as a CONNECT's.
 */
export function ircProbeAnswer(
  request: HttpRequest,
  serverName: string,
  peer: string,
): { answer: Buffer; irc: IrcDialogue } {
  const irc = new IrcDialogue(serverName, peer);
  const reader = new LineReader(IRC_MAX_LINE);
  const sent = [request.line, ...request.headers.map(([n, v]) => `${n}: ${v}`), '', request.bodyPrefix].join('\r\n');
  let out = irc.greeting();
  for (const line of reader.push(Buffer.from(`${sent}\r\n`, 'latin1'))) {
    for (const step of irc.step(line)) if (step.kind === 'reply') out += step.text;
    if (irc.closed) break;
  }
  const head = 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n';
  return { answer: Buffer.from(head + out, 'latin1'), irc };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
