import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadEngine } from '../../src/catalog/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import { EVIDENCE_VALUE_CHARS } from '../../src/detect/finding.js';
import type { Observation } from '../../src/observe/observation.js';

/** Whatever arrives — binary noise, odd Unicode, half a request — the engine answers and never throws. */
const engine = loadEngine({ lists: { site_names: ['localhost'] } });

describe('engine on arbitrary input', () => {
  it('raw HTTP-ish text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (raw) => {
        const matches = engine.match(httpObservation(raw));
        for (const m of matches) assert.ok(m.value.length <= EVIDENCE_VALUE_CHARS);
      }),
      { numRuns: 400 },
    );
  });

  it('latin1 bytes shaped like a request line with headers', () => {
    const bytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1'));
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'CONNECT', 'X'), bytes, bytes, (method, target, header) => {
        engine.match(
          httpObservation(`${method} /${target} HTTP/1.1\r\nX-A: ${header}\r\nCookie: ${header}\r\n\r\n${header}`),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('datagrams of any size and content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.integer({ min: 0, max: 65535 }), (payload, port) => {
        const obs: Observation = {
          kind: 'datagram',
          transport: 'udp',
          time: 0,
          sensor: 'monitor',
          source: { ip: '192.0.2.1', port: 1 },
          destination: { ip: '192.0.2.2', port },
          payload,
        };
        const matches = engine.match(obs);
        if (port !== 1434 && port !== 69) assert.deepEqual(matches, []);
      }),
      { numRuns: 300 },
    );
  });
});
