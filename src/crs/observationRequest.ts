import type { HttpObservation } from '../observe/observation.js';
import type { CrsRequest } from './request.js';

/**
 * The request CRS sees for an Observation: what the gateway, a capture or a log line kept of it
 * (a log keeps no body and few headers, the gateway and the monitor a bounded body prefix).
 */
export function crsRequestOf(observation: HttpObservation): CrsRequest {
  const r = observation.request;
  return {
    method: r.method,
    uri: r.target,
    version: r.version === '' ? 'HTTP/1.1' : r.version,
    headers: r.headers,
    body: r.bodyPrefix === '' ? null : r.bodyPrefix,
    remoteAddr: observation.source.ip,
    remotePort: observation.source.port,
  };
}
