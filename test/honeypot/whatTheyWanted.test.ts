import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCatalog } from '../../src/catalog/index.js';
import type { Match } from '../../src/detect/types.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { toEvent } from '../../src/events/toEvent.js';
import type { PlayAlong } from '../../src/honeypot/playAlong.js';
import { messageEvent, newSessionFacts, sessionEvent } from '../../src/honeypot/sessionEvents.js';
import type { HttpObservation } from '../../src/observe/observation.js';
import { parseRawRequest } from '../../src/observe/rawRequest.js';
import { buildBulletin } from '../../src/trends/bulletin.js';
import { renderHtml } from '../../src/trends/render/htmlReport.js';
import { renderMarkdown } from '../../src/trends/render/markdown.js';

const DAY = 86_400_000;
const SINCE = Date.UTC(2003, 1, 1);
const UNTIL = SINCE + 7 * DAY;
const catalog = loadCatalog();

function match(threatId: string, ruleId: string): Match {
  return {
    family: 'rule',
    ruleId,
    ruleName: ruleId,
    threatId,
    severity: 'critical',
    score: 30,
    action: 'ban',
    field: 'request.line',
    value: '',
    tags: [],
  };
}

function play(service: 'smtp' | 'irc', requested: string, threat: string): PlayAlong {
  const [host = '', port = '0'] = requested.split(':');
  return {
    kind: 'tunnel',
    service,
    requested,
    host,
    port: Number(port),
    serverName: host,
    reason: match(threat, `rule-${threat}`),
  };
}

/** A spam session of `ip` with one message per subject, to `to`. */
function spam(ip: string, t: number, to: string[], subjects: string[], threat = 'mail-relay-attempt'): SecurityEvent[] {
  const f = newSessionFacts(
    play('smtp', 'mx.example.de:25', threat),
    { ip, port: 1000 },
    { ip: '192.0.2.1', port: 80 },
    t,
  );
  const events = subjects.map((subject) =>
    messageEvent(
      f,
      { helo: 'x', from: 'boss@spam.example', to, data: '', cut: false },
      { subject, messageId: null, from: null, xMailer: null },
      { kind: 'stored', id: 'ABCDEF012345', file: '/q/ABCDEF012345.eml', bytes: 10, sha256: '' },
      t,
      (id) => catalog.get(id)?.name,
    ),
  );
  f.messages = subjects.length;
  return [...events, sessionEvent(f, 'quit', t + 1000, (id) => catalog.get(id)?.name)];
}

function ircBot(ip: string, t: number, channel: string): SecurityEvent {
  const f = newSessionFacts(
    play('irc', 'irc.stealth.net:6667', 'prettypark'),
    { ip, port: 1000 },
    { ip: '192.0.2.1', port: 80 },
    t,
  );
  f.irc = { nick: 'pp', channels: [channel], messages: [] };
  return sessionEvent(f, 'quit', t, (id) => catalog.get(id)?.name);
}

/** The gateway's own event for the CONNECT that led into the honeypot: what the threat counts are made of. */
function refusal(ip: string, t: number): SecurityEvent {
  const o: HttpObservation = {
    kind: 'http',
    transport: 'tcp',
    time: t,
    sensor: 'gateway',
    source: { ip, port: 1000 },
    destination: { ip: '192.0.2.1', port: 80 },
    request: parseRawRequest('CONNECT mx.example.de:25 HTTP/1.0'),
    status: null,
  };
  return toEvent([match('mail-relay-attempt', 'proxy-connect-mail-port')], {
    seen: 'observation',
    observation: o,
    action: 'blocked',
    sensor: 'gateway',
  });
}

describe('the bulletin’s "What they wanted"', () => {
  const t = SINCE + DAY;
  const events = [
    refusal('198.51.100.1', t),
    ...spam('198.51.100.1', t, ['a@example.de', 'b@Example.DE'], ['Günstige Kredite', 'Günstige Kredite']),
    refusal('198.51.100.2', t),
    ...spam('198.51.100.2', t + DAY, ['c@example.at'], ['Ihr Gewinn']),
    ircBot('203.0.113.9', t, '#\x1f\x02\xb6\x034ch'),
    ...spam('198.51.100.3', UNTIL + DAY, ['late@example.de'], ['after the period']),
  ];
  const b = buildBulletin({ events, since: SINCE, until: UNTIL, threat: (id) => catalog.get(id) });

  it('ranks recipient domains and addresses, subjects and channels, per threat', () => {
    const mail = b.wanted.find((w) => w.threatId === 'mail-relay-attempt');
    assert.deepEqual(mail && { sessions: mail.sessions, sources: mail.sources, messages: mail.messages }, {
      sessions: 2,
      sources: 2,
      messages: 3,
    });
    assert.deepEqual(mail?.recipientDomains, [
      { key: 'example.de', count: 4 },
      { key: 'example.at', count: 1 },
    ]);
    assert.deepEqual(mail?.recipients[0], { key: 'a@example.de', count: 2 });
    assert.deepEqual(mail?.subjects, [
      { key: 'Günstige Kredite', count: 2 },
      { key: 'Ihr Gewinn', count: 1 },
    ]);
    assert.deepEqual(mail?.destinations, [{ key: 'mx.example.de:25', count: 2 }]);
    const pp = b.wanted.find((w) => w.threatId === 'prettypark');
    assert.equal(pp?.threatName, 'PrettyPark');
    assert.deepEqual(pp?.ircChannels, [{ key: '#\x1f\x02\xb6\x034ch', count: 1 }]);
  });

  it('does not count the sessions as more threat events: the refusals are counted already', () => {
    assert.equal(b.totals.events, 2);
    assert.equal(b.threats.find((x) => x.id === 'mail-relay-attempt')?.total, 2);
  });

  it('renders in Markdown and HTML, umlauts as they are, control bytes visible', () => {
    const md = renderMarkdown(b);
    assert.match(md, /## What they wanted\n\nWhat the honeypot learnt by playing along: nothing was relayed\.\n/);
    assert.match(
      md,
      /### Mail relay through an HTTP proxy\n\n2 sessions from 2 sources, 3 messages taken and never delivered\.\n/,
    );
    assert.match(md, /\| Recipient domains \| times \|\n\|---\|---:\|\n\| example\.de \| 4 \|/);
    assert.match(md, /\| Günstige Kredite \| 2 \|/);
    assert.match(md, /\| \\#\\\\x1f\\\\x02¶\\\\x034ch \| 1 \|/);
    assert.ok(!md.includes('\x1f'));
    const page = renderHtml(b);
    assert.match(page, /<h2>What they wanted<\/h2>/);
    assert.match(page, /<td>Günstige Kredite<\/td><td class="n">2<\/td>/);
    assert.match(page, /<td>#\\x1f\\x02¶\\x034ch<\/td>/);
  });

  it('is absent when the honeypot recorded nothing', () => {
    const quiet = buildBulletin({
      events: [refusal('198.51.100.1', t)],
      since: SINCE,
      until: UNTIL,
      threat: (id) => catalog.get(id),
    });
    assert.deepEqual(quiet.wanted, []);
    assert.doesNotMatch(renderMarkdown(quiet), /What they wanted/);
  });
});
