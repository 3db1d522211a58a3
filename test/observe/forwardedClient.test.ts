import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Allowlist } from '../../src/defense/allowlist.js';
import { forwardedClient, forwardedForHeader, requestClient } from '../../src/observe/forwardedClient.js';

describe('forwardedClient', () => {
  const list = new Allowlist(['10.0.0.0/8', '127.0.0.50', '2001:db8:ffff::/48']);
  const trusted = (ip: string) => list.has(ip);

  it('takes the address a trusted peer forwards for, walking trusted hops from the right', () => {
    assert.equal(forwardedClient('127.0.0.50', '192.0.2.7', trusted), '192.0.2.7');
    assert.equal(forwardedClient('127.0.0.50', '198.51.100.66, 192.0.2.9, 10.1.2.3', trusted), '192.0.2.9');
    assert.equal(forwardedClient('::ffff:127.0.0.50', '192.0.2.7', trusted), '192.0.2.7', 'a v4-mapped peer');
  });

  it('never reads what an untrusted peer, or the client left of the first untrusted hop, wrote', () => {
    assert.equal(forwardedClient('192.0.2.200', '10.0.0.1', trusted), '192.0.2.200');
    assert.equal(forwardedClient('127.0.0.50', '10.0.0.9, 192.0.2.9', trusted), '192.0.2.9');
    assert.equal(forwardedClient('127.0.0.50', undefined, trusted), '127.0.0.50');
  });

  it('reads ports and IPv6 forms, and stops at what is no address', () => {
    assert.equal(forwardedClient('127.0.0.50', '192.0.2.7:51234', trusted), '192.0.2.7');
    assert.equal(forwardedClient('127.0.0.50', '[2001:db8::7]:443', trusted), '2001:db8::7');
    assert.equal(forwardedClient('127.0.0.50', '2001:db8::7, 2001:db8:ffff::1', trusted), '2001:db8::7');
    assert.equal(forwardedClient('127.0.0.50', '192.0.2.7, unknown', trusted), '127.0.0.50', 'the last trusted hop');
    assert.equal(forwardedClient('127.0.0.50', '192.0.2.7, 10.0.0.3, ', trusted), '127.0.0.50');
    assert.equal(forwardedClient('127.0.0.50', '192.0.2.7, [::1', trusted), '127.0.0.50');
    assert.equal(forwardedClient('127.0.0.50', '10.0.0.1, 10.0.0.2', trusted), '10.0.0.1', 'trusted all the way');
  });

  it('joins every X-Forwarded-For header of a request, in order', () => {
    assert.equal(
      forwardedForHeader([
        ['Host', 'x'],
        ['X-Forwarded-For', '192.0.2.1'],
        ['x-forwarded-for', '10.0.0.1'],
      ]),
      '192.0.2.1, 10.0.0.1',
    );
    assert.equal(forwardedForHeader([['Host', 'x']]), undefined);
    assert.equal(requestClient('127.0.0.50', [['x-forwarded-for', '192.0.2.1']], trusted), '192.0.2.1');
    assert.equal(requestClient('127.0.0.50', [['x-forwarded-for', '192.0.2.1']], null), '127.0.0.50', 'none trusted');
  });
});
