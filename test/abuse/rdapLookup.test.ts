import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupAbuseContact } from '../../src/abuse/rdap/lookup.js';
import { registriesForSuite } from './registries.js';

const DAY = 86_400_000;

/** Finding the abuse contact through local registries: referrals, nesting, the caches. */
describe('RDAP abuse contact lookup against local registries', () => {
  const suite = registriesForSuite();
  const { reg } = suite;

  it('finds an abuse entity nested two levels down, with the network name, range and handle', async () => {
    const { answer, fromCache } = await lookupAbuseContact('192.0.2.7', suite.cache, reg.options());
    assert.equal(fromCache, false);
    assert.equal(answer.kind, 'contact');
    if (answer.kind !== 'contact') return;
    assert.equal(answer.email, 'abuse@alpha.example');
    assert.equal(answer.contactHandle, 'ABUSE-ALPHA');
    assert.equal(answer.contactName, 'Alpha Abuse Desk');
    assert.equal(answer.network.name, 'ALPHA-DIALUP');
    assert.equal(answer.network.handle, 'NET-A-7');
    assert.equal(answer.network.startAddress, '192.0.2.0');
    assert.equal(answer.network.endAddress, '192.0.2.127');
    assert.deepEqual(answer.via, [`${reg.rirA.url}ip/192.0.2.7`]);
  });

  it('follows a redirect from one registry to another', async () => {
    const { answer, notes } = await lookupAbuseContact('198.51.100.7', suite.cache, reg.options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@bravo.example');
    if (answer.kind !== 'contact') return;
    assert.deepEqual(answer.via, [`${reg.rirA.url}ip/198.51.100.7`, `${reg.rirB.url}ip/198.51.100.7`]);
    assert.equal(answer.url, `${reg.rirB.url}ip/198.51.100.7`);
    assert.match(notes.join('\n'), /referred the query to 127\.0\.0\.1:\d+/);
  });

  it("follows a 'related' link to the registry that holds the network, not the referring registry's own desk", async () => {
    const { answer } = await lookupAbuseContact('198.51.100.9', suite.cache, reg.options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@bravo.example');
    assert.deepEqual(answer.kind === 'contact' && answer.network.cidrs, []);
    assert.equal(reg.rirB.asked.length, 1);
  });

  it('answers no-contact for a network without an abuse entity', async () => {
    const { answer } = await lookupAbuseContact('203.0.113.5', suite.cache, reg.options());
    assert.equal(answer.kind, 'no-contact');
    assert.equal(answer.kind === 'no-contact' && answer.network.name, 'BRAVO-HOSTING');
  });

  it('answers no-registry for an address the bootstrap file does not cover, asking no registry', async () => {
    const { answer } = await lookupAbuseContact('100.64.0.1', suite.cache, reg.options());
    assert.equal(answer.kind, 'no-registry');
    assert.equal(reg.rirA.asked.length + reg.rirB.asked.length, 0);
  });

  it('answers no-registry when the registry has no network for the address (404)', async () => {
    const { answer } = await lookupAbuseContact('203.0.113.99', suite.cache, reg.options());
    assert.equal(answer.kind, 'no-registry');
  });

  it('looks IPv6 up through the same bootstrap', async () => {
    const { answer } = await lookupAbuseContact('2001:db8::1', suite.cache, reg.options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse6@alpha.example');
  });

  it('caches answers, reuses them for the whole network, and asks again once they are old', async () => {
    let now = Date.now();
    const clock = () => now;
    await lookupAbuseContact('192.0.2.7', suite.cache, reg.options({ now: clock }));
    const again = await lookupAbuseContact('192.0.2.7', suite.cache, reg.options({ now: clock }));
    const neighbour = await lookupAbuseContact('192.0.2.8', suite.cache, reg.options({ now: clock }));
    assert.equal(again.fromCache, true);
    assert.equal(neighbour.fromCache, true, 'an address in a cached network reuses its answer');
    assert.equal(reg.rirA.asked.length, 1);
    now += 8 * DAY;
    const later = await lookupAbuseContact('192.0.2.7', suite.cache, reg.options({ now: clock }));
    assert.equal(later.fromCache, false);
    assert.equal(reg.rirA.asked.length, 2);
  });

  it('keeps the bootstrap file with its age, refreshes it when old, and falls back to the old copy', async () => {
    let now = Date.now();
    const clock = () => now;
    await lookupAbuseContact('192.0.2.7', suite.cache, reg.options({ now: clock }));
    await lookupAbuseContact('203.0.113.5', suite.cache, reg.options({ now: clock }));
    assert.equal(reg.iana.asked.length, 1, 'one fetch of the bootstrap file');
    now += 8 * DAY;
    await lookupAbuseContact('198.51.100.7', suite.cache, reg.options({ now: clock }));
    assert.equal(reg.iana.asked.length, 2, 'refreshed once older than its maximum age');

    // The bootstrap server goes away: the cached copy still serves, and the caller is told.
    const moved = `http://127.0.0.1:${reg.offlinePort}/bootstrap.json`;
    suite.cache.putBootstrap(moved, JSON.stringify(reg.bootstrap), now - 30 * DAY);
    const { answer, notes } = await lookupAbuseContact(
      '203.0.113.5',
      suite.cache,
      reg.options({ now: clock, bootstrapUrl: moved, refresh: true }),
    );
    assert.equal(answer.kind, 'no-contact');
    assert.match(
      notes.join('\n'),
      /could not refresh the RDAP bootstrap file \(cannot reach .*\); using the copy fetched/,
    );
  });
});
