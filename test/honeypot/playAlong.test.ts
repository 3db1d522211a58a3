import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { HONEYPOT_THREATS } from '../../src/config/honeypotSettings.js';
import { EXAMPLE_LISTS, httpObservation } from '../../src/detect/examples.js';
import { type PlayAlong, playAlongFor } from '../../src/honeypot/playAlong.js';
import type { HttpObservation } from '../../src/observe/observation.js';

const engine = loadEngine({ lists: EXAMPLE_LISTS });
const WANTED = new Set(HONEYPOT_THREATS);

function playFor(raw: string, wanted: ReadonlySet<string> = WANTED): PlayAlong | null {
  const o = httpObservation(raw) as HttpObservation;
  return playAlongFor(o.request, engine.match(o), wanted);
}

describe('what the honeypot plays', () => {
  it('a mail server for CONNECT to 25, 465, 587 — the 2003 four-token form too', () => {
    for (const raw of [
      'CONNECT mx.example.de:25 HTTP/1.1',
      'CONNECT 192.0.2.25:587 HTTP/1.0',
      'CONNECT mx.example:465 HTTP/1.1',
    ]) {
      const p = playFor(raw);
      assert.equal(p?.kind === 'tunnel' && p.service, 'smtp', raw);
    }
    const pp = playFor('CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.deepEqual(
      pp && { kind: pp.kind, service: pp.service, requested: pp.requested, threat: pp.reason.threatId },
      {
        kind: 'tunnel',
        service: 'smtp',
        requested: 'maila.microsoft.com:25',
        threat: 'prettypark',
      },
    );
  });

  it('an IRC server for CONNECT to IRC ports, silence for other ports', () => {
    assert.equal(playFor('CONNECT irc.example.net:6667 HTTP/1.1')?.service, 'irc');
    assert.equal(playFor('CONNECT www.example.org:443 HTTP/1.1')?.service, 'silent');
    assert.equal(playFor('CONNECT [2001:db8::1]:8080 HTTP/1.1')?.requested, '[2001:db8::1]:8080');
  });

  it('answers absolute-form probes as a proxy: an IRC server behind IRC ports, else a judge', () => {
    const irc = playFor('GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n');
    assert.equal(irc?.kind === 'answer' && irc.service, 'irc-probe');
    assert.equal(irc?.reason.threatId, 'prettypark');
    assert.equal(
      playFor('GET http://www.google.com/ HTTP/1.1\r\nHost: www.google.com\r\n\r\n')?.service,
      'proxy-judge',
    );
    assert.equal(playFor('GET http://judge.example.net/azenv.php HTTP/1.0')?.service, 'proxy-judge');
    assert.equal(playFor('GET /azenv.php HTTP/1.1\r\nHost: www.example.com\r\n\r\n')?.service, 'proxy-judge');
  });

  it('plays nothing for legitimate requests, for threats not asked for, nor for methods no proxy relays', () => {
    for (const raw of [
      'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n',
      'GET http://www.example.com/index.html HTTP/1.1',
      'POST /login HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 3\r\n\r\na=b',
      "GET /search?q=1'%20OR%201=1-- HTTP/1.1",
      'OPTIONS * HTTP/1.1',
    ])
      assert.equal(playFor(raw), null, raw);
    assert.equal(playFor('CONNECT mx.example.de:25 HTTP/1.1', new Set(['irc-relay-attempt'])), null);
    assert.equal(
      playFor('CONNECT mx.example.de:25 HTTP/1.1', new Set(['proxy-connect-mail-port']))?.service,
      'smtp',
      'a rule id',
    );
    assert.equal(playFor('DELETE http://www.google.com/ HTTP/1.1'), null);
  });

  it('never says back a host it was given unless it is a plain name', () => {
    const p = playFor('CONNECT evil%0d%0aX:25 HTTP/1.1');
    assert.equal(p?.serverName, 'mail');
  });
});
