import type { Observation } from '../observe/observation.js';
import { parseRawRequest } from '../observe/rawRequest.js';
import type { Example } from './ruleSchema.js';

/** The named lists examples run against: a site called example.com served on localhost. */
export const EXAMPLE_LISTS: Readonly<Record<string, readonly string[]>> = {
  site_names: ['localhost', '127.0.0.1', 'example.com', 'www.example.com'],
};

export const EXAMPLE_SOURCE = '203.0.113.7';

/**
 * Turn a rule example — a raw HTTP request, possibly with a source address, or a UDP datagram
 * given in hex — into the Observation a sensor would build.
 */
export function observationFromExample(example: Example): Observation {
  const base = { time: 0, sensor: 'cli' as const };
  if (typeof example !== 'string' && 'udp' in example) {
    const { port, payload, padTo, padByte } = example.udp;
    const bytes = Buffer.from(payload, 'hex');
    const padded =
      padTo !== undefined && padTo > bytes.length ? Buffer.alloc(padTo, Buffer.from(padByte ?? '00', 'hex')) : bytes;
    if (padded !== bytes) bytes.copy(padded);
    return {
      ...base,
      kind: 'datagram',
      transport: 'udp',
      source: { ip: example.source ?? EXAMPLE_SOURCE, port: 40000 },
      destination: { ip: '192.0.2.10', port },
      payload: new Uint8Array(padded),
    };
  }
  const raw = typeof example === 'string' ? example : example.raw;
  const source = typeof example === 'string' ? EXAMPLE_SOURCE : (example.source ?? EXAMPLE_SOURCE);
  return httpObservation(raw, source);
}

export function httpObservation(raw: string, sourceIp = EXAMPLE_SOURCE, malformed: string | null = null): Observation {
  return {
    time: 0,
    sensor: 'cli',
    kind: 'http',
    transport: 'tcp',
    source: { ip: sourceIp, port: 40000 },
    destination: { ip: '127.0.0.1', port: 80 },
    request: parseRawRequest(raw, malformed),
    status: null,
  };
}
