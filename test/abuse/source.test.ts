import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SourceFile } from '../../src/abuse/source/sourceFile.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { SqliteEventStore } from '../../src/store/index.js';
import { bansho } from '../cli/run.js';
import { tempDir } from '../gateway/helpers.js';
import { type DnsResponder, ptrName, startDnsResponder } from '../intel/dnsResponder.js';
import { SEED_TIME, seedYearLog } from '../logs/fixtures.js';
import { buildSeedStore } from '../report/fixtures.js';

const SEED_SOURCE = '151.29.130.2';
const PTR = 'ppp-130-2.29-151.dialup.example.it';

/** A monitor event with the packet-log lines kept for its flow, and a behaviour finding, from the seed's source. */
function sensorEvents(): SecurityEvent[] {
  const base = (id: string, time: number, sensor: 'monitor' | 'logs' | 'honeypot'): SecurityEvent => ({
    '@timestamp': new Date(time).toISOString(),
    message: id,
    event: {
      id,
      kind: 'alert',
      category: ['network'],
      type: ['info'],
      action: 'detected',
      module: 'bansho',
      dataset: `bansho.${sensor}`,
    },
    source: { ip: SEED_SOURCE, port: 1817 },
    destination: { ip: '192.0.2.80', port: 80 },
    bansho: { sensor },
  });
  const flow = base('seed-flow', SEED_TIME + 60_000, 'monitor');
  flow.threat = { software: { id: 'prettypark', name: 'PrettyPark' } };
  flow.bansho.evidence = 'CONNECT maila.microsoft.com:25 / HTTP/1.0';
  flow.bansho.flow = {
    log: [
      '151.29.130.2 → 192.0.2.80 HTTP CONNECT maila.microsoft.com:25 / HTTP/1.0',
      '192.0.2.80 → 151.29.130.2 HTTP HTTP/1.1 400 Bad Request',
    ].join('\n'),
  };
  const finding = base('seed-behaviour', SEED_TIME + 120_000, 'logs');
  finding.rule = { id: 'behaviour-path-probing', name: 'path probing', ruleset: 'bansho', category: 'behaviour' };
  finding.threat = { software: { id: 'web-path-probing', name: 'Web path probing' } };
  finding.bansho.evidence = 'GET /a HTTP/1.1\nGET /b HTTP/1.1';
  const honeypot = base('seed-honeypot', SEED_TIME + 180_000, 'honeypot');
  honeypot.bansho.evidence = 'EHLO pretty';
  return [flow, finding, honeypot];
}

/**
 * `bansho source IP`: the 2003 admin's incident file for the seed's source — a year of access
 * logs, the gateway's block and ban, a packet-log excerpt, a behaviour finding — with its
 * origin from offline data and reverse DNS from a local DNS server.
 */
describe('the source file', () => {
  const tmp = tempDir('bansho-source-');
  let db = '';
  let dns: DnsResponder;

  before(async () => {
    const log = join(tmp.dir, 'access.log');
    writeFileSync(log, `${seedYearLog().join('\n')}\n`);
    db = await buildSeedStore(tmp.dir, log);
    const store = new SqliteEventStore(db);
    store.appendSync(sensorEvents());
    await store.close();
    dns = await startDnsResponder({ [ptrName(SEED_SOURCE)]: PTR });
  });
  after(async () => {
    await dns.close();
    tmp.cleanup();
  });

  it('tells first and last seen, threats, evidence, bans, findings, origin and recurrence as JSON', async () => {
    const r = await bansho(['source', SEED_SOURCE, '--db', db, '--json', '--dns-server', dns.server]);
    assert.equal(r.code, 0, r.stderr);
    const f = JSON.parse(r.stdout) as SourceFile;
    assert.equal(f.ip, SEED_SOURCE);
    assert.equal(f.firstSeen, new Date(SEED_TIME).toISOString(), 'the proxy test in the access log');
    assert.equal(f.lastSeen, new Date(SEED_TIME + 180_000).toISOString());
    const prettypark = f.threats.find((t) => t.id === 'prettypark');
    assert.ok(prettypark && prettypark.count >= 5, JSON.stringify(f.threats));
    assert.ok(
      f.events.some(
        (e) =>
          e.sensor === 'logs' && e.evidence.some((l) => l.includes('"GET http://irc.stealth.net:5558/ HTTP/1.1" 200')),
      ),
      'the access-log line as evidence',
    );
    const flow = f.events.find((e) => e.id === 'seed-flow');
    assert.deepEqual(flow?.packetLog, [
      '151.29.130.2 → 192.0.2.80 HTTP CONNECT maila.microsoft.com:25 / HTTP/1.0',
      '192.0.2.80 → 151.29.130.2 HTTP HTTP/1.1 400 Bad Request',
    ]);
    assert.deepEqual(
      f.bans.history.map((b) => [b.target, b.offence]),
      [['151.29.130.2/32', 1]],
    );
    assert.deepEqual(f.bans.inForce, [], 'the 2003 ban is long over');
    assert.deepEqual(
      f.behaviourFindings.map((e) => e.evidence),
      [['GET /a HTTP/1.1', 'GET /b HTTP/1.1']],
    );
    assert.deepEqual(
      f.honeypotSessions.map((e) => e.evidence),
      [['EHLO pretty']],
    );
    assert.equal(f.origin?.country?.code, 'IT');
    assert.ok(f.origin?.asn, 'the network from the offline ASN data');
    assert.equal(f.origin?.reverse, PTR);
    assert.deepEqual(f.origin?.pool, { kind: 'dial-up', evidence: 'ppp' });
    assert.deepEqual(f.recurrence, { episodes: 1, text: '1 episode' });
    assert.equal(f.abuse.contact, null, 'never looked up');
  });

  it('tells it as text, with the recurrence of a source that came back', async () => {
    const r = await bansho(['source', '151.21.4.7', '--db', db, '--no-rdns']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Recurrence {2}2 episodes, about every 240 days \(intervals 240 days\)$/m);
    assert.match(r.stdout, /^ {2}Italy \(IT\), AS\d+ /m);
    assert.match(r.stdout, /^ {2}not looked up yet \(bansho abuse 151\.21\.4\.7\)$/m);
    assert.match(r.stdout, /^Origin data: /m, 'the data credit');
  });

  it('says when nothing is stored about a source', async () => {
    const r = await bansho(['source', '203.0.113.77', '--db', db, '--no-rdns']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^No events from this address are stored\.$/m);
  });
});
