import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { HttpObservation, Sensor } from '../../src/observe/observation.js';

function seenBy(sensor: Sensor): HttpObservation {
  return {
    kind: 'http',
    transport: 'tcp',
    time: 0,
    sensor,
    source: { ip: '198.51.100.7', port: 40000 },
    destination: { ip: '192.0.2.1', port: 80 },
    request: buildHttpRequest({ line: 'GET / HTTP/1.1', headers: [] }),
    status: null,
  };
}

describe('the sensor field', () => {
  const engine = loadEngine();
  const slapper = (sensor: Sensor) => engine.match(seenBy(sensor)).some((m) => m.threatId === 'slapper');

  it("names Slapper's Host-less fingerprint where headers are seen, not in access logs that record none", () => {
    assert.equal(slapper('gateway'), true);
    assert.equal(slapper('monitor'), true);
    assert.equal(slapper('logs'), false);
  });
});
