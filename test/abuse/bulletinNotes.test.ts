import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cachedAbuseNotes } from '../../src/abuse/bulletinNotes.js';
import { RdapCache } from '../../src/abuse/store/rdapCache.js';
import { ReportLog } from '../../src/abuse/store/reportLog.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { openSqlite } from '../../src/store/index.js';
import { buildBulletin } from '../../src/trends/bulletin.js';
import { renderHtml } from '../../src/trends/render/htmlReport.js';
import { renderMarkdown } from '../../src/trends/render/markdown.js';
import { tempDir } from '../gateway/helpers.js';

const T = Date.UTC(2003, 1, 3, 0, 12, 44);

function probe(ip: string, id: string): SecurityEvent {
  return {
    '@timestamp': new Date(T).toISOString(),
    message: id,
    event: {
      id,
      kind: 'alert',
      category: ['network'],
      type: ['denied'],
      action: 'blocked',
      module: 'bansho',
      dataset: 'bansho.gateway',
      severity: 100,
    },
    source: { ip },
    threat: { software: { id: ip === '151.29.130.2' ? 'prettypark' : 'open-proxy-probe', name: 'x' } },
    bansho: { sensor: 'gateway', evidence: 'CONNECT maila.microsoft.com:25 / HTTP/1.0' },
  };
}

describe('abuse contacts in the bulletin', () => {
  const tmp = tempDir('bansho-bulletin-abuse-');
  const db = openSqlite(join(tmp.dir, 'bansho.db'));
  after(() => {
    db.close();
    tmp.cleanup();
  });

  it("shows each incident's cached contact and whether a report was sent; nothing for a source never looked up", () => {
    new RdapCache(db).putAnswer({
      kind: 'contact',
      ip: '151.29.130.2',
      email: 'abuse@dial.example.it',
      otherEmails: [],
      contactName: 'Abuse',
      contactHandle: 'AB-1',
      network: {
        handle: 'NET-1',
        name: 'DIAL-POOL',
        startAddress: '151.29.0.0',
        endAddress: '151.29.255.255',
        cidrs: [],
        country: 'IT',
        type: null,
      },
      url: 'http://rdap.example/ip/151.29.130.2',
      via: ['http://rdap.example/ip/151.29.130.2'],
      fetchedAt: T,
    });
    new ReportLog(db).record({
      reportId: 'k@example.org',
      sourceIp: '151.29.130.2',
      recipient: 'abuse@dial.example.it',
      sentAt: T + 3_600_000,
      eventIds: ['a'],
      messageId: '<m@example.org>',
      smtpResponse: '250 OK',
    });
    const bulletin = buildBulletin({
      events: [probe('151.29.130.2', 'a'), probe('151.21.4.7', 'b')],
      since: T - 86_400_000,
      until: T + 86_400_000,
      threat: () => undefined,
      abuse: cachedAbuseNotes(db),
    });
    const seed = bulletin.incidents.find((i) => i.sourceIp === '151.29.130.2');
    const other = bulletin.incidents.find((i) => i.sourceIp === '151.21.4.7');
    assert.deepEqual(seed?.abuse, {
      contact: 'abuse@dial.example.it',
      network: 'DIAL-POOL, 151.29.0.0 - 151.29.255.255',
      lastReport: { sentAt: T + 3_600_000, to: 'abuse@dial.example.it' },
    });
    assert.equal(other?.abuse, undefined);
    const line =
      'abuse@dial.example.it (DIAL-POOL, 151.29.0.0 - 151.29.255.255); report sent 2003-02-03T01:12:44Z to abuse@dial.example.it.';
    assert.ok(renderMarkdown(bulletin).includes(`**Abuse contact.** ${line}`));
    assert.ok(renderHtml(bulletin).includes(`<p><b>Abuse contact.</b> ${line}</p>`));
  });
});
