import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText, resolveGatewayConfig } from '../../src/config/index.js';

const UPSTREAM = { upstream: 'http://127.0.0.1:1' };

describe('dashboard config keys and flags', () => {
  it('defaults to 127.0.0.1:9180 with /metrics on the same listener', () => {
    const d = resolveGatewayConfig({}, UPSTREAM).dashboard;
    assert.deepEqual(d, {
      listen: { host: '127.0.0.1', port: 9180 },
      tokenFile: null,
      metricsListen: null,
      behindTls: false,
    });
    assert.deepEqual(resolveGatewayConfig({}, { ...UPSTREAM, dashboard: true }).dashboard.listen, {
      host: '127.0.0.1',
      port: 9180,
    });
  });

  it('takes the file, and the flags over it; --no-dashboard and `listen: false` switch it off', () => {
    const file = parseConfigText(
      'dashboard:\n  listen: 0.0.0.0:9300\n  token_file: /etc/bansho/token\n  metrics_listen: 127.0.0.1:9464\n  behind_tls: true\n',
    );
    const d = resolveGatewayConfig(file, UPSTREAM).dashboard;
    assert.deepEqual(d, {
      listen: { host: '0.0.0.0', port: 9300 },
      tokenFile: '/etc/bansho/token',
      metricsListen: { host: '127.0.0.1', port: 9464 },
      behindTls: true,
    });
    assert.deepEqual(resolveGatewayConfig(file, { ...UPSTREAM, dashboard: '127.0.0.1:9400' }).dashboard.listen, {
      host: '127.0.0.1',
      port: 9400,
    });
    assert.equal(resolveGatewayConfig(file, { ...UPSTREAM, dashboard: false }).dashboard.listen, null);
    assert.equal(
      resolveGatewayConfig(parseConfigText('dashboard:\n  listen: false\n'), UPSTREAM).dashboard.listen,
      null,
    );
  });

  it('refuses a bad address and unknown keys, naming them', () => {
    assert.throws(() => resolveGatewayConfig({}, { ...UPSTREAM, dashboard: 'nowhere' }), /dashboard "nowhere"/);
    assert.throws(() => resolveGatewayConfig({}, { ...UPSTREAM, metrics: 'x:y' }), /metrics "x:y"/);
    assert.throws(() => parseConfigText('dashboard:\n  password: hunter2\n'), /unknown key "dashboard.password"/);
  });
});
