import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Match } from '../../src/detect/types.js';
import { placedJson, unplacedJson } from '../../src/events/unplacedJson.js';
import { eventPlace, hashText, threatEvent } from '../../src/logs/lineCore.js';
import { buildHttpRequest } from '../../src/observe/httpRequest.js';
import type { HttpObservation } from '../../src/observe/observation.js';

describe('hashText', () => {
  it('is SHA-256 of the latin1 bytes, base64url, for ASCII and non-ASCII text alike', () => {
    const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(fc.oneof(latin1, fc.string()), (text) => {
        const expected = createHash('sha256').update(text, 'latin1').digest('base64url');
        assert.equal(hashText(text), expected.slice(0, 16));
        assert.equal(hashText(text, 22), expected.slice(0, 22));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('placedJson', () => {
  it('is the JSON of the event built with its place, whatever the logged line says', () => {
    const tricky = fc.constantFrom(
      '"event":{"id":""',
      '"origin":{"file":"","line":0}',
      '\\"',
      '{"',
      '"',
      'é',
      '\u2028',
    );
    const text = fc
      .array(fc.oneof(tricky, fc.string({ maxLength: 8 })), { maxLength: 6 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, text, fc.nat(), (target, agent, lineNo) => {
        const line = `GET /${target} HTTP/1.1`;
        const observation: HttpObservation = {
          kind: 'http',
          transport: 'tcp',
          sensor: 'logs',
          time: 1_000_000,
          source: { ip: '203.0.113.9', port: 0 },
          destination: { ip: '', port: 0 },
          request: buildHttpRequest({ line, headers: [['user-agent', agent]] }),
          status: 404,
        };
        const match: Match = {
          family: 'rule',
          ruleId: `r-${agent}`,
          ruleName: agent,
          threatId: 't',
          severity: 'high',
          action: 'block',
          score: 5,
          tags: [agent],
          field: 'request.line',
          value: line,
        };
        const unplaced = unplacedJson(threatEvent(line, observation, [match], () => agent));
        const place = eventPlace('identity', 2, hashText(line), `logs/${agent}.log`, lineNo);
        const placed = threatEvent(line, observation, [match], () => agent, place);
        assert.equal(placedJson(unplaced, place), JSON.stringify(placed));
        assert.equal(placed.event.id, place.id);
        assert.deepEqual(placed.bansho.origin, place.origin);
      }),
      { numRuns: 1000 },
    );
  });
});
