import { requestClient, type TrustedProxy } from '../observe/forwardedClient.js';
import { buildHttpRequest } from '../observe/httpRequest.js';
import type { HttpObservation, HttpRequest } from '../observe/observation.js';
import type { LogRecord } from './record.js';

/**
 * The Observation the gateway would have built for this request, from what the log kept: the
 * request line as received (even PrettyPark's four-token CONNECT, or '' for `-`), the logged
 * headers, the answer's status. Source ports are not in access logs, hence 0. `fallbackTime`
 * stands in when the line carries no readable time. A line logged by a server behind `trusted`
 * proxies is the client's that its logged X-Forwarded-For names, as the gateway would see it.
 */
export function observationFromRecord(
  record: LogRecord,
  fallbackTime: number,
  trusted: TrustedProxy | null = null,
  /** The request built before from the same request line and headers (../detect/requestMemo.ts). */
  request: HttpRequest = requestFromRecord(record),
): HttpObservation {
  const headers = record.headers;
  return {
    kind: 'http',
    transport: 'tcp',
    sensor: 'logs',
    time: record.time ?? fallbackTime,
    source: { ip: requestClient(record.client, headers, trusted), port: 0 },
    destination: { ip: record.vhost ?? '', port: record.serverPort ?? 0 },
    request,
    status: record.status,
  };
}

/** The request an Observation of `record` holds: a function of its request line and headers alone. */
export function requestFromRecord(record: LogRecord): HttpRequest {
  return buildHttpRequest({
    line: record.requestLine,
    headers: record.headers,
    malformed: record.requestLine === '' ? 'no request line logged' : null,
  });
}
