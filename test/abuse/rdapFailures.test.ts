import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupAbuseContact } from '../../src/abuse/rdap/lookup.js';
import { RdapError } from '../../src/abuse/rdap/rdapError.js';
import { registriesForSuite } from './registries.js';

/** When a registry cannot answer: slow, rate limiting, unreachable — a clear message, never a hang. */
describe('RDAP lookups when registries cannot answer', () => {
  const suite = registriesForSuite();
  const { reg } = suite;

  it('gives up on a slow registry at the timeout with a clear message', async () => {
    const started = Date.now();
    await assert.rejects(lookupAbuseContact('192.0.2.200', suite.cache, reg.options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_TIMEOUT');
      assert.match(err.message, /^127\.0\.0\.1:\d+ did not answer within 0\.4 s$/);
      return true;
    });
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(reg.slow.asked.length, 1);
  });

  it('stops at a 429 with a long Retry-After, says when to try again, and keeps away until then', async () => {
    const started = Date.now();
    await assert.rejects(lookupAbuseContact('198.18.0.1', suite.cache, reg.options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_RATE_LIMITED');
      assert.match(
        err.message,
        /answered 429 Too Many Requests and asks for 120 s; try again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
      );
      assert.ok(err.retryAt !== null && err.retryAt >= started + 119_000);
      return true;
    });
    assert.equal(reg.limited.asked.length, 1);
    await assert.rejects(
      lookupAbuseContact('198.18.0.2', suite.cache, reg.options()),
      /not asking 127\.0\.0\.1:\d+ now/,
    );
    assert.equal(reg.limited.asked.length, 1, 'the Retry-After is honoured across lookups');
  });

  it('waits out a short Retry-After once, then gets the answer', async () => {
    const started = Date.now();
    const { answer } = await lookupAbuseContact('198.18.1.1', suite.cache, reg.options());
    assert.equal(answer.kind === 'contact' && answer.email, 'abuse@briefly.example');
    assert.ok(Date.now() - started >= 1000, 'answered before the Retry-After ran out');
    assert.equal(reg.briefly.asked.length, 2);
  });

  it('keeps to the limit a registry announces in its notices', async () => {
    await lookupAbuseContact('198.18.2.1', suite.cache, reg.options());
    await lookupAbuseContact('198.18.2.2', suite.cache, reg.options());
    await assert.rejects(lookupAbuseContact('198.18.2.3', suite.cache, reg.options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_RATE_LIMITED');
      assert.match(err.message, /takes 2 queries a minute \(the limit the registry announces\)/);
      return true;
    });
    assert.equal(reg.paced.asked.length, 2);
  });

  it('says so when the registry cannot be reached', async () => {
    await assert.rejects(lookupAbuseContact('10.1.2.3', suite.cache, reg.options()), (err: unknown) => {
      assert.ok(err instanceof RdapError);
      assert.equal(err.code, 'E_RDAP_OFFLINE');
      assert.match(err.message, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline, or the server is down/);
      return true;
    });
  });

  it('says so when the bootstrap file cannot be had and none is cached', async () => {
    const url = `http://127.0.0.1:${reg.offlinePort}/ipv4.json`;
    await assert.rejects(
      lookupAbuseContact('192.0.2.7', suite.cache, reg.options({ bootstrapUrl: url })),
      (err: unknown) => {
        assert.ok(err instanceof RdapError);
        assert.equal(err.code, 'E_RDAP_BOOTSTRAP');
        assert.match(
          err.message,
          /cannot get the RDAP bootstrap file http:\/\/127\.0\.0\.1:\d+\/ipv4\.json: cannot reach/,
        );
        return true;
      },
    );
  });
});
