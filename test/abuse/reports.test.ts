import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { simpleParser } from 'mailparser';
import { loadCatalog } from '../../src/catalog/index.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { bansho } from '../cli/run.js';
import { tempDir } from '../gateway/helpers.js';
import {
  ABUSE_DESK,
  ATTACKER,
  loopbackRegistry,
  RELAY_PROBER,
  replayThrough,
  SELF_PROBER,
  VICTIM_MAIL_SERVER,
  writeConfig,
} from './abuseWorld.js';
import type { Registry } from './rdapWorld.js';
import { closedPort } from './registries.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ISO_UTC_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * The reports for the 2003 incident replayed through a real gateway, with the abuse contact
 * from a registry on 127.0.0.1: X-ARF validated against the X-ARF 0.2 schema, the ARF message
 * read back by a real mail parser, times in UTC, nothing of ours or of other victims leaking.
 */
describe('abuse reports for the replayed 2003 incident', () => {
  const tmp = tempDir('bansho-abuse-');
  const db = join(tmp.dir, 'bansho.db');
  let config = '';
  let world: Awaited<ReturnType<typeof loopbackRegistry>>;
  let firstEventTime = 0;

  before(async () => {
    const listen = await replayThrough(db);
    world = await loopbackRegistry();
    config = writeConfig(tmp.dir, listen, db, {
      rdap_bootstrap: world.bootstrapUrl,
      rdap_timeout: '2s',
      reporter: 'Example Web Team <security@example.org>',
    });
    const store = new SqliteEventStore(db);
    const events = await store.query({ sourceIp: ATTACKER });
    await store.close();
    firstEventTime = Date.parse(events[0]?.['@timestamp'] ?? '');
  });
  after(async () => {
    await Promise.all([world.registry, world.iana].map((r: Registry) => r.stop()));
    tmp.cleanup();
  });

  it('names the abuse contact of the source', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^abuse contact for ${ATTACKER}: ${ABUSE_DESK}$`, 'm'));
    assert.match(r.stdout, /network {3}LOOPBACK-DIAL, handle NET-LOOP-1, 127\.0\.0\.0 - 127\.0\.0\.255, IT/);
    assert.match(r.stdout, /contact {3}Loopback ISP abuse desk, ABUSE-LOOP/);
  });

  it('writes X-ARF 0.2 JSON that validates against the X-ARF schema, with the time in UTC', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--format', 'xarf']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    const schema = JSON.parse(readFileSync(new URL('./fixtures/xarf-0.2-report.schema.json', import.meta.url), 'utf8'));
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    const validate = ajv.compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.equal(report.Source, ATTACKER);
    assert.equal(report['Source-Type'], 'ipv4');
    assert.equal(report['Report-Type'], 'malware-attack');
    assert.equal(report['Reported-From'], 'security@example.org');
    assert.equal(report.Occurrences, 2, 'the GET proxy test and the CONNECT that earned the ban');
    assert.match(String(report.Date), ISO_UTC_SECOND);
    assert.equal(Date.parse(String(report.Date)), Math.floor(firstEventTime / 1000) * 1000);
    assert.match(String(report['Report-ID']), /^[0-9a-f]{24}@example\.org$/);

    // The check can fail: a report without its source is refused by the same schema.
    const { Source: _, ...withoutSource } = report;
    assert.equal(validate(withoutSource), false);
  });

  it('writes an RFC 5965 message that a real mail parser reads: three parts, the evidence exact, times UTC', async () => {
    const out = join(tmp.dir, 'report.eml');
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--format', 'mime', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const raw = readFileSync(out, 'utf8');
    const mail = await simpleParser(raw);
    const type = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
    assert.equal(type.value, 'multipart/report');
    assert.equal(type.params['report-type'], 'feedback-report');
    assert.equal((mail.to as { text: string }).text, ABUSE_DESK);
    assert.equal((mail.from as { text: string }).text, '"Example Web Team" <security@example.org>');
    assert.match(
      mail.subject ?? '',
      new RegExp(`^Abuse report: PrettyPark from ${ATTACKER.replace(/\./g, '\\.')} \\(\\d{4}-\\d\\d-\\d\\d UTC\\)$`),
    );
    assert.match(raw, /^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r$/m, 'the Date header is in UTC');

    assert.match(mail.text ?? '', /All times in this report are UTC/);
    assert.match(mail.text ?? '', /WHAT TO LOOK FOR/);
    const advice = loadCatalog().get('prettypark')?.advice.trim().split(/\s+/).slice(0, 6).join(' ') ?? '';
    assert.ok(advice.length > 0 && (mail.text ?? '').replace(/\s+/g, ' ').includes(advice), 'the catalog advice');

    const feedback = mail.attachments.find((a) => a.contentType === 'message/feedback-report');
    assert.ok(feedback, `parts: ${mail.attachments.map((a) => a.contentType).join(', ')}`);
    const fields = feedback.content.toString('utf8');
    assert.match(fields, /^Feedback-Type: abuse$/m);
    assert.match(fields, /^User-Agent: bansho\/\d+\.\d+\.\d+$/m);
    assert.match(fields, /^Version: 1$/m);
    assert.match(fields, new RegExp(`^Source-IP: ${ATTACKER.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(fields, /^Arrival-Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/m);
    assert.match(fields, /^Incidents: 2$/m);

    const evidence = mail.attachments.find((a) => a.filename === 'evidence.txt');
    assert.ok(evidence);
    const lines = evidence.content.toString('utf8').split('\r\n');
    assert.ok(lines.includes('  GET http://irc.stealth.net:5558/ HTTP/1.1'), lines.join('\n'));
    assert.ok(lines.includes('  CONNECT maila.microsoft.com:25 / HTTP/1.0'));
    assert.ok(
      lines.some((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 127\.0\.0\.2:\d+ gateway blocked prettypark$/.test(l)),
    );
    assert.equal(mail.attachments.length, 2, 'the feedback report and the evidence');
    assert.ok(!raw.includes('127.0.0.1'), "the gateway's own address stays out");
  });

  it('writes the plain-text report: what happened, when (UTC), what bansho did, the evidence', async () => {
    const r = await bansho(['abuse', ATTACKER, '--config', config, '--format', 'text']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ABUSE REPORT: PrettyPark from 127\.0\.0\.2$/m);
    assert.match(
      r.stdout,
      /^To: {10}abuse@loopback-isp\.example \(abuse contact of LOOPBACK-DIAL, handle NET-LOOP-1, 127\.0\.0\.0 - 127\.0\.0\.255\)$/m,
    );
    // Prose is filled to 76 columns; read it as one line.
    const prose = r.stdout.replace(/\s+/g, ' ');
    assert.match(prose, /the address 127\.0\.0\.2 attacked our server \(http, port \d+\) 2 times/);
    assert.match(
      prose,
      /We refused 2 requests \(answered 400 and closed the connection; nothing was forwarded\); banned 127\.0\.0\.2\/32 until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(offence 1\); closed 2 further connections/,
    );
    assert.match(
      r.stdout,
      /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}127\.0\.0\.2:\d+ -> port \d+ {2}\(gateway blocked prettypark\)\n {6}GET http:\/\/irc\.stealth\.net:5558\/ HTTP\/1\.1$/m,
    );
    assert.ok(!r.stdout.includes('127.0.0.1'));
  });

  it("keeps another victim's address and our own out of every format", async () => {
    for (const format of ['text', 'xarf', 'mime']) {
      const relay = await bansho(['abuse', RELAY_PROBER, '--config', config, '--format', format]);
      assert.equal(relay.code, 0, relay.stderr);
      assert.ok(!relay.stdout.includes(VICTIM_MAIL_SERVER), `${format} names the victim`);
      const self = await bansho(['abuse', SELF_PROBER, '--config', config, '--format', format]);
      assert.equal(self.code, 0, self.stderr);
      assert.ok(!self.stdout.includes('127.0.0.1'), `${format} names our address`);
      if (format === 'text') {
        assert.match(relay.stdout, /CONNECT \[other address\]:25 HTTP\/1\.0/);
        assert.match(self.stdout, /CONNECT \[our address\]:25 HTTP\/1\.0/);
      }
    }
  });

  it('says clearly when the registry names no abuse contact, and when it cannot be reached', async () => {
    const none = await bansho(['abuse', '127.0.1.9', '--config', config]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /^no abuse contact for 127\.0\.1\.9: the registry lists none for LOOPBACK-HOSTING$/m);

    const offline = await bansho([
      'abuse',
      ATTACKER,
      '--config',
      config,
      '--rdap-bootstrap',
      `http://127.0.0.1:${await closedPort()}/ipv4.json`,
      '--refresh',
      '--format',
      'text',
    ]);
    assert.equal(offline.code, 0, 'the report is still written');
    assert.match(
      offline.stderr,
      /^bansho: no abuse contact for 127\.0\.0\.2: cannot get the RDAP bootstrap file .*: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline, or the server is down \(E_RDAP_BOOTSTRAP\)$/m,
    );
    assert.match(offline.stdout, /^To: {10}abuse contact unknown: cannot get the RDAP bootstrap file/m);
  });

  it('says clearly when there is nothing to report', async () => {
    const r = await bansho(['abuse', '127.0.0.9', '--config', config, '--format', 'text']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no threat events from 127\.0\.0\.9 in .* within the window: nothing to report/);
  });
});
