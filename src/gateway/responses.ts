import { STATUS_CODES } from 'node:http';

/**
 * The few answers the gateway writes itself, as raw bytes on the socket: a refused request
 * never reaches node's response machinery, so the first two lines are exactly these.
 */

function raw(status: string, body: string, contentType = 'text/plain; charset=utf-8'): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    'latin1',
  );
}

/** The 2003 incident's answer to proxy abuse and to lines the parser refuses. */
export const BAD_REQUEST = raw('400 Bad Request', 'Bad Request\n');
/** To a banned client behind a trusted proxy, whose connection serves others too. */
export const FORBIDDEN = raw('403 Forbidden', 'Forbidden\n');
export const HEADERS_TOO_LARGE = raw('431 Request Header Fields Too Large', 'Request Header Fields Too Large\n');
export const REQUEST_TIMEOUT = raw('408 Request Timeout', 'Request Timeout\n');
export const METHOD_NOT_ALLOWED = raw('405 Method Not Allowed', 'Method Not Allowed\n');
export const EXPECTATION_FAILED = raw('417 Expectation Failed', 'Expectation Failed\n');
/** A source over its share of requests in flight. */
export const TOO_MANY_REQUESTS = raw('429 Too Many Requests', 'Too Many Requests\n');
/** Every upstream connection busy and the queue behind them full. */
export const SERVICE_UNAVAILABLE = raw('503 Service Unavailable', 'Service Unavailable\n');

const byStatus = new Map<number, Buffer>([
  [400, BAD_REQUEST],
  [403, FORBIDDEN],
  [405, METHOD_NOT_ALLOWED],
  [431, HEADERS_TOO_LARGE],
]);

/** The answer to a refusal by its status (a rule's own, such as CRS's 403, or the gateway's). */
export function refusalAnswer(status: number): Buffer {
  let answer = byStatus.get(status);
  if (answer === undefined) {
    const reason = STATUS_CODES[status] ?? 'Refused';
    answer = raw(`${status} ${reason}`, `${reason}\n`);
    byStatus.set(status, answer);
  }
  return answer;
}
export const BAD_GATEWAY_UPGRADE = raw('502 Bad Gateway', 'Bad Gateway: the upstream did not answer\n');

/** Short pages for upstream failures, sent through node's response (the client may keep the connection). */
export function upstreamErrorPage(status: 502 | 504): string {
  const title = status === 502 ? '502 Bad Gateway' : '504 Gateway Timeout';
  const why =
    status === 502
      ? 'The site behind this gateway could not be reached.'
      : 'The site behind this gateway did not answer in time.';
  return `<!doctype html><title>${title}</title><h1>${title}</h1><p>${why}</p>\n`;
}
