import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import {
  ConfigError,
  parseConfigText,
  parseDuration,
  parseListen,
  resolveGatewayConfig,
} from '../../src/config/index.js';

const BUILT_IN = builtInBehaviours();

describe('config', () => {
  it('reads a full file into the gateway config', () => {
    const file = parseConfigText(`
upstream: http://127.0.0.1:8080
listen: 127.0.0.1:8001
site_names: [www.example.com]
allowlist: [10.0.0.0/8, 192.0.2.1]
bans: { first: 2h, factor: 3, max: 7d }
timeouts: { headers: 5s, request: 30s, keep_alive: 2s }
scores: { block: 7 }
behaviour_bans: false
`);
    const c = resolveGatewayConfig(file, {});
    assert.equal(c.upstream.origin, 'http://127.0.0.1:8080');
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8001 });
    assert.deepEqual(c.site.neverBanned, ['10.0.0.0/8', '192.0.2.1/32']);
    assert.deepEqual(c.site.banPolicy, { firstMs: 7_200_000, factor: 3, maxMs: 7 * 86_400_000 });
    assert.equal(c.timeouts.headersMs, 5000);
    assert.equal(c.blockScore, 7);
    assert.equal(c.behaviourBans, false);
    assert.equal(resolveGatewayConfig({}, { upstream: 'http://127.0.0.1:1' }).behaviourBans, true, 'on by default');
  });

  it('reads the behaviours: a limit retuned in part, one switched off, one kept, the rest built in', () => {
    const c = resolveGatewayConfig(
      parseConfigText(`
upstream: http://127.0.0.1:8080
behaviours:
  path-probing: { capacity: 40, leak_speed: 30s }
  auth-failures: false
  wordpress-login: true
  login-form: { cooldown: 1h }
`),
      {},
    );
    const b = c.site.behaviours;
    assert.deepEqual(b['path-probing'], {
      capacity: 40,
      leakMs: 30_000,
      cooldownMs: 300_000,
      severity: 'medium',
      score: 10,
    });
    assert.equal(b['auth-failures'], null);
    assert.deepEqual(b['wordpress-login'], BUILT_IN['wordpress-login']);
    assert.deepEqual(b['login-form'], {
      capacity: 5,
      leakMs: 10_000,
      cooldownMs: 3_600_000,
      severity: 'medium',
      score: 10,
    });
    assert.deepEqual(b['wordpress-xmlrpc'], BUILT_IN['wordpress-xmlrpc']);
    assert.deepEqual(resolveGatewayConfig({}, { upstream: 'http://127.0.0.1:1' }).site.behaviours, BUILT_IN);
  });

  it("takes a behaviour's severity and score from the config too", () => {
    const c = resolveGatewayConfig(
      parseConfigText('behaviours:\n  wordpress-xmlrpc: { severity: high, score: 25 }\n'),
      { upstream: 'http://127.0.0.1:1' },
    );
    assert.deepEqual(c.site.behaviours['wordpress-xmlrpc'], {
      ...BUILT_IN['wordpress-xmlrpc'],
      severity: 'high',
      score: 25,
    });
    assert.throws(() => parseConfigText('behaviours:\n  login-form: { severity: dire }\n'), /behaviours\.login-form/);
  });

  it('refuses behaviours that could never fire or drain, and names it does not know', () => {
    assert.throws(
      () => parseConfigText('behaviours:\n  path-probing: { capacity: 0 }\n'),
      /behaviours\.path-probing\.capacity \(line 2\)/,
    );
    assert.throws(
      () => parseConfigText('behaviours:\n  auth-failures: { leak_speed: 0s }\n'),
      /leak_speed.*longer than 0/,
    );
    assert.throws(
      () => parseConfigText('behaviours:\n  path_probing: false\n'),
      /unknown key "behaviours\.path_probing"/,
    );
    assert.throws(() => parseConfigText('behaviours:\n  login-form: { capacity: 5, window: 1m }\n'), /unknown key/);
  });

  it("accepts the README's example file as it is written", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README shows a config file');
    const c = resolveGatewayConfig(parseConfigText(example, 'README.md'), {});
    assert.equal(c.site.behaviours['auth-failures'], null);
    assert.equal(c.site.behaviours['path-probing']?.capacity, 30);
    assert.deepEqual(c.tls, {
      listen: { host: '0.0.0.0', port: 443 },
      certFile: '/etc/letsencrypt/live/example.org/fullchain.pem',
      keyFile: '/etc/letsencrypt/live/example.org/privkey.pem',
    });
    assert.equal(resolveGatewayConfig({}, { upstream: 'http://127.0.0.1:1' }).tls, null, 'no HTTPS unless asked');
    assert.throws(() => parseConfigText('tls: { listen: 443 }\n'), /tls\.cert/);
    assert.equal(c.proxyProtocol, false);
    assert.throws(
      () => resolveGatewayConfig(parseConfigText('upstream: http://127.0.0.1:1\nproxy_protocol: true\n'), {}),
      /proxy_protocol needs trusted_proxies/,
    );
    const l4 = parseConfigText('upstream: http://127.0.0.1:1\nproxy_protocol: true\ntrusted_proxies: [10.0.0.0/8]\n');
    assert.equal(resolveGatewayConfig(l4, {}).proxyProtocol, true);
    assert.equal(c.limits.bodyInspectBytes, 64 * 1024);
    assert.equal(c.timeouts.tunnelIdleMs, 300_000);
    assert.deepEqual(c.upgradeProtocols, ['websocket']);
  });

  it('reads limits with sizes in any unit, and refuses a bad one by its key', () => {
    const c = resolveGatewayConfig(
      parseConfigText(
        'upstream: http://127.0.0.1:1\nlimits: { body_inspect: 1MiB, requests_per_source: 8 }\nupgrade: [WebSocket, h2c]\n',
      ),
      {},
    );
    assert.equal(c.limits.bodyInspectBytes, 1024 * 1024);
    assert.equal(c.limits.requestsPerSource, 8);
    assert.equal(c.limits.connectionsPerSource, 128, 'the rest keep their defaults');
    assert.deepEqual(c.upgradeProtocols, ['websocket', 'h2c']);
    assert.equal(c.onEngineError, 'block');
    assert.throws(
      () => parseConfigText('limits: { body_inspect: 12 parsecs }\n'),
      /limits\.body_inspect.*invalid size/,
    );
    assert.throws(() => parseConfigText('limits: { requests_per_source: 0 }\n'), /limits\.requests_per_source/);
    assert.throws(() => parseConfigText('on_engine_error: shrug\n'), /on_engine_error/);
  });

  it('flags override the file', () => {
    const c = resolveGatewayConfig(parseConfigText('upstream: http://127.0.0.1:1\n'), {
      upstream: 'http://127.0.0.1:2',
      db: 'x.db',
    });
    assert.equal(c.upstream.port, '2');
    assert.equal(c.db, 'x.db');
  });

  it('names the key and line of a bad value', () => {
    assert.throws(
      () => parseConfigText('upstream: http://x\nbans:\n  first: soon\n', 'b.yaml'),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /^config b\.yaml: bans\.first \(line 3\): invalid duration "soon"/);
        return true;
      },
    );
    assert.throws(() => parseConfigText('upstrem: http://x\n'), /unknown key "upstrem"/);
    assert.throws(() => parseConfigText('allowlist: [300.1.1.1]\n'), /allowlist\.0.*not an IP address/);
    assert.throws(() => parseConfigText('upstream: ftp://x\n'), /upstream.*http:\/\//);
    assert.throws(() => parseConfigText('a: [\n'), /invalid YAML/);
    assert.throws(() => parseConfigText('behaviour_bans: sometimes\n'), /behaviour_bans/);
  });

  it('parses durations and listen addresses', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration(30), 30_000);
    assert.throws(() => parseDuration('1 hour'), /invalid duration/);
    assert.deepEqual(parseListen(':8000'), { host: '0.0.0.0', port: 8000 });
    assert.deepEqual(parseListen('[::1]:8000'), { host: '::1', port: 8000 });
    assert.deepEqual(parseListen('8000'), { host: '127.0.0.1', port: 8000 });
  });
});
