import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { SourceScores } from '../../src/defense/sourceScores.js';
import { httpObservation } from '../../src/detect/examples.js';
import { worstFinding } from '../../src/detect/finding.js';
import { decide } from '../../src/detect/verdict.js';

/** Issue 2 §3: the proxy-abuse rules the gateway relies on, with the seed's exact request lines. */
describe('defense-function rules', () => {
  const engine = loadEngine({ lists: { site_names: ['localhost', 'www.example.com'] } });
  const catalog = loadCatalog();
  const threatsOf = (line: string) => new Set(engine.match(httpObservation(line)).map((m) => m.threatId));

  it('names prettypark for both seed requests: the proxy test is refused, the mail-relay CONNECT bans', () => {
    const get = engine.match(httpObservation('GET http://irc.stealth.net:5558/ HTTP/1.1'));
    assert.equal(worstFinding(get)?.threatId, 'prettypark');
    assert.equal(decide(get).kind, 'block');
    const connect = engine.match(httpObservation('CONNECT maila.microsoft.com:25 / HTTP/1.0'));
    assert.equal(worstFinding(connect)?.threatId, 'prettypark');
    assert.equal(decide(connect).kind, 'ban');
    assert.equal(catalog.get('prettypark')?.aliases.includes('TROJ_PRETTY_PARK'), true);
  });

  it('one absolute-form probe stays under the per-source threshold; a second one crosses it', () => {
    const scores = new SourceScores();
    const total = engine
      .match(httpObservation('GET http://irc.stealth.net:5558/ HTTP/1.1'))
      .reduce((s, m) => s + m.score, 0);
    assert.equal(scores.add('127.0.0.2', total, 0).overThreshold, false);
    assert.equal(scores.add('127.0.0.2', total, 1000).overThreshold, true);
  });

  it('the seed CONNECT is also malformed, a mail relay and a proxy probe', () => {
    const threats = threatsOf('CONNECT maila.microsoft.com:25 / HTTP/1.0');
    for (const t of ['prettypark', 'mail-relay-attempt', 'open-proxy-probe', 'malformed-request'])
      assert.ok(threats.has(t), t);
  });

  it('absolute-form for the site itself is allowed; for any other host it is refused', () => {
    assert.equal(decide(engine.match(httpObservation('GET http://www.example.com/ HTTP/1.1'))).kind, 'allow');
    assert.equal(decide(engine.match(httpObservation('GET http://LOCALHOST:8080/x HTTP/1.1'))).kind, 'allow');
    const foreign = engine.match(httpObservation('GET http://example.org/ HTTP/1.1'));
    assert.deepEqual(
      foreign.map((m) => m.threatId),
      ['open-proxy-probe'],
    );
    assert.equal(decide(foreign).kind, 'block');
  });

  it('an empty site_names list makes every absolute-form authority foreign', () => {
    const bare = loadEngine();
    const threats = bare.match(httpObservation('GET http://localhost/ HTTP/1.1')).map((m) => m.threatId);
    assert.deepEqual(threats, ['open-proxy-probe']);
  });

  it('CONNECT to IRC ports names irc-relay-attempt; other CONNECTs are proxy probes', () => {
    assert.ok(threatsOf('CONNECT irc.example.net:6667 HTTP/1.1').has('irc-relay-attempt'));
    assert.deepEqual([...threatsOf('CONNECT example.net:443 HTTP/1.1')], ['open-proxy-probe']);
    assert.ok(threatsOf('CONNECT smtp.example.net:587 HTTP/1.1').has('mail-relay-attempt'));
  });

  it('a malformed line alone blocks but does not ban', () => {
    const matches = engine.match(httpObservation('GET /index.html'));
    assert.deepEqual(
      matches.map((m) => m.threatId),
      ['malformed-request'],
    );
    assert.equal(decide(matches).kind, 'block');
  });

  it('every rule names a threat in the catalog', () => {
    for (const line of ['CONNECT maila.microsoft.com:25 / HTTP/1.0', 'GET http://irc.stealth.net:5558/ HTTP/1.1'])
      for (const m of engine.match(httpObservation(line))) assert.ok(catalog.get(m.threatId), m.threatId);
  });
});
