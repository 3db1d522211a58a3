import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ownNetworkOf } from '../../src/abuse/report/ownNetwork.js';
import { parseConfigText } from '../../src/config/configFile.js';
import { sitePolicyFromFile } from '../../src/config/sitePolicy.js';

/**
 * A report redacts the operator's own network as the sensors know it: from the one site policy
 * (names, upstream, listen host, allowlist, trusted proxies), plus the TLS listener and
 * `abuse.redact` that only the config file has.
 */
describe('what a report must not reveal', () => {
  test('takes the site from the site policy, and the rest from the config', () => {
    const file = parseConfigText(
      [
        'upstream: http://app.internal:8080',
        'listen: "8000"',
        'site_names: [Shop.Example.org]',
        'allowlist: [198.51.100.0/24]',
        'trusted_proxies: [10.1.2.3]',
        'tls:',
        '  listen: "[2001:db8::5]:8443"',
        '  cert: c.pem',
        '  key: k.pem',
        'abuse:',
        '  redact: [intranet.example.org]',
      ].join('\n'),
    );
    const own = ownNetworkOf(sitePolicyFromFile(file), file, []);
    // A bare port listens on loopback, as the gateway does: the policy knows it, the old reading did not.
    assert.deepEqual([...own.ranges].sort(), ['10.1.2.3/32', '127.0.0.1', '198.51.100.0/24', '2001:db8::5']);
    assert.deepEqual([...own.names].sort(), ['app.internal', 'intranet.example.org', 'localhost', 'shop.example.org']);
  });

  test('adds where the events were sent, and never a wildcard', () => {
    const file = parseConfigText('listen: 0.0.0.0:8000\n');
    const event = { destination: { ip: '203.0.113.7' } } as Parameters<typeof ownNetworkOf>[2][number];
    const own = ownNetworkOf(sitePolicyFromFile(file), file, [event]);
    assert.deepEqual(own.ranges, ['203.0.113.7']);
    assert.deepEqual(own.names, ['localhost']);
  });
});
