import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attributionHtml, attributionMarkdown, attributionText } from '../../src/intel/attribution.js';
import { describeOrigin, OriginDb } from '../../src/intel/origin.js';
import { poolHint } from '../../src/intel/poolHint.js';
import { ReverseDns } from '../../src/intel/reverseDns.js';
import { specialRange } from '../../src/intel/special.js';
import { type DnsResponder, ptrName, startDnsResponder } from './dnsResponder.js';

describe('offline origins', () => {
  let db: OriginDb;
  before(async () => {
    db = await OriginDb.open();
  });

  it('places public addresses by country and ASN', () => {
    const it1 = db.lookup('151.1.1.1');
    assert.equal(it1.country?.code, 'IT');
    assert.equal(it1.country?.name, 'Italy');
    assert.equal(it1.asn?.number, 3242);
    const g = db.lookup('8.8.8.8');
    assert.equal(g.country?.code, 'US');
    assert.equal(g.asn?.number, 15169);
    assert.match(g.asn?.org ?? '', /Google/);
    assert.match(describeOrigin(g), /United States \(US\), AS15169 Google/);
  });

  it('places IPv6 by its /64', () => {
    const v6 = db.lookup('2001:4860:4860::8888');
    assert.equal(v6.country?.code, 'US');
    assert.equal(v6.asn?.number, 15169);
  });

  it('names special ranges instead of guessing', () => {
    assert.equal(db.lookup('127.0.0.1').special, 'loopback');
    assert.equal(db.lookup('192.168.1.2').country, null);
    assert.equal(specialRange('203.0.113.9'), 'documentation');
    assert.equal(specialRange('2001:db8::1'), 'documentation');
    assert.equal(specialRange('151.1.1.1'), null);
  });

  it('carries the attribution the licences ask for', () => {
    for (const text of [attributionText(), attributionMarkdown(), attributionHtml()]) {
      assert.match(text, /NRO/);
      assert.match(text, /RouteViews/);
      assert.match(text, /DB-IP/);
      assert.match(text, /CC BY 4\.0/);
    }
    assert.match(attributionHtml(), /<a href='https:\/\/db-ip.com'>IP Geolocation by DB-IP<\/a>/);
  });
});

describe('dial-up / residential hints', () => {
  it('recognises pool names', () => {
    assert.equal(poolHint('ppp-151-21-4-7.dialup.tin.it')?.kind, 'dial-up');
    assert.equal(poolHint('host7-4-21-151.pool80116.interbusiness.it')?.kind, 'dynamic pool');
    assert.equal(poolHint('adsl-ull-12-34.42-151.net24.it')?.kind, 'broadband');
    assert.equal(poolHint('c-73-1-2-3.hsd1.ca.comcast.net', '73.1.2.3')?.kind, 'dynamic pool');
    assert.equal(poolHint('cable-88.example.net')?.kind, 'broadband');
    assert.equal(poolHint('host-1-2-3-4.example.org', '1.2.3.4')?.evidence, 'address spelled in the name');
  });

  it('leaves server names alone', () => {
    assert.equal(poolHint('mail.example.org'), null);
    assert.equal(poolHint('dns.google'), null);
    assert.equal(poolHint('crawl-66-249-66-1.googlebot.com', '8.8.8.8'), null);
  });
});

describe('reverse DNS against a loopback responder', () => {
  let dns: DnsResponder;
  before(async () => {
    dns = await startDnsResponder({ [ptrName('151.21.4.7')]: 'ppp-151-21-4-7.dialup.example.it' }, [
      ptrName('151.21.4.8'),
    ]);
  });
  after(async () => {
    await dns.close();
  });

  it('resolves, caches, and hints', async () => {
    const rdns = new ReverseDns({ servers: [dns.server], timeoutMs: 500 });
    assert.equal(rdns.peek('151.21.4.7'), undefined);
    assert.equal(await rdns.lookup('151.21.4.7'), 'ppp-151-21-4-7.dialup.example.it');
    assert.equal(rdns.peek('151.21.4.7'), 'ppp-151-21-4-7.dialup.example.it');
    const before = dns.queries.length;
    assert.equal(await rdns.lookup('151.21.4.7'), 'ppp-151-21-4-7.dialup.example.it');
    assert.equal(dns.queries.length, before, 'second lookup is served from the cache');
    const db = await OriginDb.open({ rdns });
    const o = db.lookup('151.21.4.7');
    assert.equal(o.reverse, 'ppp-151-21-4-7.dialup.example.it');
    assert.equal(o.pool?.kind, 'dial-up');
    assert.match(describeOrigin(o), /dial-up/);
  });

  it('answers null for NXDOMAIN and for a silent server, never rejecting', async () => {
    const rdns = new ReverseDns({ servers: [dns.server], timeoutMs: 200 });
    assert.equal(await rdns.lookup('151.21.4.9'), null);
    assert.equal(await rdns.lookup('151.21.4.8'), null);
    assert.equal(rdns.peek('151.21.4.8'), null);
    const all = await rdns.lookupAll(['151.21.4.7', '151.21.4.9'], 2000);
    assert.equal(all.get('151.21.4.7'), 'ppp-151-21-4-7.dialup.example.it');
    assert.equal(all.get('151.21.4.9'), null);
  });
});
