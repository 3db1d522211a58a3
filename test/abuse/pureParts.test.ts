import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAbuseEntity } from '../../src/abuse/rdap/abuseEntity.js';
import { parseBootstrap, serversFor } from '../../src/abuse/rdap/bootstrap.js';
import { readJCard } from '../../src/abuse/rdap/jcard.js';
import { admit, announcedLimit, limitFor } from '../../src/abuse/rdap/rateLimit.js';
import { RdapError } from '../../src/abuse/rdap/rdapError.js';
import { retryAfterMs } from '../../src/abuse/rdap/retryAfter.js';
import { quoteExactly } from '../../src/abuse/report/quote.js';
import { Redactor } from '../../src/abuse/report/redact.js';
import { decideSend } from '../../src/abuse/send/sendDecision.js';
import { entity, jcard } from './rdapWorld.js';

describe('RDAP bootstrap file', () => {
  const file = {
    version: '1.0',
    services: [
      [
        ['41.0.0.0/8', 'not-a-cidr'],
        ['https://rdap.afrinic.net/rdap/', 'http://rdap.afrinic.net/rdap/'],
      ],
      [['41.1.0.0/16'], ['https://mirror.example/rdap']],
      [['2c00::/12'], ['https://rdap.afrinic.net/rdap/']],
      'garbage',
    ],
  };

  it('picks the most specific range, https first, and tolerates a bad entry', () => {
    const b = parseBootstrap(file, 'test');
    assert.deepEqual(serversFor(b, '41.2.3.4'), ['https://rdap.afrinic.net/rdap/', 'http://rdap.afrinic.net/rdap/']);
    assert.deepEqual(serversFor(b, '41.1.3.4'), ['https://mirror.example/rdap/']);
    assert.deepEqual(serversFor(b, '2c0f:f000::1'), ['https://rdap.afrinic.net/rdap/']);
    assert.equal(serversFor(b, '8.8.8.8'), null);
  });

  it('refuses a file that is not a bootstrap file', () => {
    assert.throws(
      () => parseBootstrap({ hello: 1 }, 'http://x/'),
      (err: unknown) => {
        assert.ok(err instanceof RdapError);
        assert.equal(err.code, 'E_RDAP_BOOTSTRAP');
        return true;
      },
    );
  });
});

describe('the abuse entity in an RDAP answer', () => {
  it('takes the shallowest abuse entity with an e-mail address, breadth first', () => {
    const answer = {
      entities: [
        entity('ORG', ['registrant'], jcard('Org'), [entity('DEEP', ['abuse'], jcard('Deep', 'deep@x.example'))]),
        entity('NOMAIL', ['abuse'], jcard('No mail')),
        entity('TECH', ['technical'], jcard('Tech', 'tech@x.example'), [
          entity('SHALLOW', ['ABUSE'], jcard('Shallow', 'shallow@x.example')),
        ]),
      ],
    };
    const found = findAbuseEntity(answer);
    assert.equal(found?.handle, 'DEEP', 'depth 2, listed first');
    assert.equal(found?.depth, 2);
  });

  it('returns an abuse entity without an address only when no other has one', () => {
    const found = findAbuseEntity({ entities: [entity('NOMAIL', ['abuse'], jcard('No mail'))] });
    assert.equal(found?.handle, 'NOMAIL');
    assert.deepEqual(found?.emails, []);
    assert.equal(findAbuseEntity({ entities: [entity('T', ['technical'], jcard('T', 't@x.example'))] }), null);
  });

  it('reads jCard names, structured org values and mailto: addresses', () => {
    const card = readJCard([
      'vcard',
      [
        ['fn', {}, 'text', 'Abuse Team'],
        ['org', {}, 'text', ['Example', 'Abuse Dept']],
        ['email', {}, 'uri', 'mailto:abuse@example.net'],
        ['email', {}, 'text', 'abuse@example.net'],
        ['email', {}, 'text', 'security@example.net'],
        'junk',
      ],
    ]);
    assert.deepEqual(card, {
      name: 'Abuse Team',
      org: 'Example Abuse Dept',
      emails: ['abuse@example.net', 'security@example.net'],
    });
    assert.deepEqual(readJCard(null), { name: null, org: null, emails: [] });
  });
});

describe('registry pace', () => {
  const now = 1_000_000_000;

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs(undefined, now), null);
  });

  it('holds a query back while a Retry-After runs or the minute is full', () => {
    const limit = limitFor('rdap.lacnic.net', null);
    assert.equal(limit.perMinute, 10);
    assert.deepEqual(admit('h', [], limit, null, now), { ok: true });
    const held = admit('h', [], limit, { at: now + 5000, reason: 'h answered 429' }, now);
    assert.deepEqual(held, { ok: false, retryAt: now + 5000, reason: 'h answered 429' });
    const full = Array.from({ length: 10 }, (_, i) => now - 50_000 + i * 1000);
    const refused = admit('rdap.lacnic.net', full, limit, null, now);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.retryAt, now + 10_000);
    assert.equal(admit('h', full, { perMinute: 11, source: 's' }, null, now).ok, true);
  });

  it("reads a limit a registry announces, as LACNIC's notices do", () => {
    const json = {
      notices: [{ title: 'Rate Limit Notice', description: ['Rate Limit is maxed at 10 queries per 1 minutes.'] }],
    };
    assert.deepEqual(announcedLimit(json), { perMinute: 10, source: 'the limit the registry announces' });
    assert.equal(announcedLimit({ notices: [{ description: ['Terms of use'] }] }), null);
  });
});

describe('evidence as reports quote it', () => {
  it('quotes exactly: printable ASCII kept, backslash doubled, other bytes as \\xNN, long lines cut visibly', () => {
    assert.equal(quoteExactly('JOIN #\x1f\x02\xb6 a\\b', 100), 'JOIN #\\x1f\\x02\\xb6 a\\\\b');
    assert.equal(quoteExactly('abcdef', 3), 'abc [… 3 more characters cut]');
    assert.equal(quoteExactly('caf\u00e9 \u2603', 100), 'caf\\xe9 \\xe2\\x98\\x83');
  });

  it("withholds the operator's addresses and names and other victims' addresses, keeping the source's", () => {
    const r = new Redactor('203.0.113.9', {
      ranges: ['192.0.2.0/24', '2001:db8:1::/48'],
      names: ['shop.example.org', 'example.org'],
    });
    assert.equal(
      r.line('203.0.113.9 - - [03/Feb/2003:10:12:01 +0100] "CONNECT 198.51.100.25:25 HTTP/1.0" via 192.0.2.80'),
      '203.0.113.9 - - [03/Feb/2003:10:12:01 +0100] "CONNECT [other address]:25 HTTP/1.0" via [our address]',
    );
    assert.equal(r.line('GET http://[2001:db8:1::5]:8080/ HTTP/1.1'), 'GET http://[[our address]]:8080/ HTTP/1.1');
    assert.equal(r.line('GET http://[2001:db8:9::5]/ HTTP/1.1'), 'GET http://[[other address]]/ HTTP/1.1');
    assert.equal(
      r.line('Host: shop.example.org and www.example.org.evil.example'),
      'Host: [our site] and www.example.org.evil.example',
    );
    assert.equal(
      r.line('Mozilla/5.0.1.2.3 at 15:22:51'),
      'Mozilla/5.0.1.2.3 at 15:22:51',
      'version numbers and times stay',
    );
  });
});

describe('the decision to send', () => {
  const base = {
    recipient: { email: 'abuse@x.example' },
    newAttacks: 2,
    previous: [],
    sentToday: 0,
    dailyCap: 3,
    smtpConfigured: true,
  };
  const last = {
    reportId: 'r@x',
    sourceIp: '1.2.3.4',
    recipient: 'abuse@x.example',
    sentAt: 1,
    eventIds: ['a'],
    messageId: '<m>',
    smtpResponse: '250',
  };

  it('sends only what is new, to a named contact, within the cap, with an SMTP server', () => {
    assert.deepEqual(decideSend(base), { kind: 'send', to: 'abuse@x.example' });
    assert.equal(decideSend({ ...base, newAttacks: 0, previous: [last] }).kind, 'nothing-new');
    assert.equal(decideSend({ ...base, previous: [last] }).kind, 'send', 'new events after a report make a new one');
    assert.equal(decideSend({ ...base, recipient: { why: 'none' } }).kind, 'no-contact');
    assert.deepEqual(decideSend({ ...base, sentToday: 3 }), { kind: 'cap-reached', cap: 3, sentToday: 3 });
    assert.equal(decideSend({ ...base, smtpConfigured: false }).kind, 'no-smtp');
  });
});
