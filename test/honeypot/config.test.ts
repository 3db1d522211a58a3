import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HONEYPOT, parseConfigText, resolveGatewayConfig } from '../../src/config/index.js';

const resolve = (yaml: string) => resolveGatewayConfig(parseConfigText(`upstream: http://127.0.0.1:1\n${yaml}`), {});

describe('the honeypot section of the config', () => {
  it('is off by default, with the five threats of issue 16 ready', () => {
    const h = resolve('').honeypot;
    assert.equal(h.enabled, false);
    assert.deepEqual(h.for, [
      'prettypark',
      'mail-relay-attempt',
      'irc-relay-attempt',
      'open-proxy-probe',
      'proxy-judge',
    ]);
    assert.equal(h.banned, false);
    assert.deepEqual(h, DEFAULT_HONEYPOT);
  });

  it('reads every key, with sizes and durations in any unit', () => {
    const h = resolve(
      [
        'honeypot:',
        '  enabled: true',
        '  for: [prettypark, proxy-connect-mail-port]',
        '  banned: true',
        '  quarantine: { dir: /var/lib/bansho/quarantine, max_message: 128KiB, max_total: 512MiB, retention: 90d }',
        '  budget: { sessions: 5, bytes: 1MiB, concurrent: 1, window: 12h }',
        '  session: { bytes: 512KiB, commands: 200, idle: 30s, lifetime: 5m }',
        '  max_sessions: 32',
      ].join('\n'),
    ).honeypot;
    assert.deepEqual(h, {
      enabled: true,
      for: ['prettypark', 'proxy-connect-mail-port'],
      banned: true,
      quarantine: {
        dir: '/var/lib/bansho/quarantine',
        maxMessageBytes: 128 * 1024,
        maxTotalBytes: 512 * 1024 * 1024,
        retentionMs: 90 * 86_400_000,
      },
      budget: { sessions: 5, bytes: 1024 * 1024, concurrent: 1, windowMs: 12 * 3_600_000 },
      session: { bytes: 512 * 1024, commands: 200, idleMs: 30_000, lifetimeMs: 300_000 },
      maxSessions: 32,
    });
  });

  it('refuses unknown keys and bad values by their key', () => {
    assert.throws(() => resolve('honeypot: { enable: true }'), /unknown key "honeypot\.enable"/);
    assert.throws(() => resolve('honeypot: { quarantine: { max_total: lots } }'), /honeypot\.quarantine\.max_total/);
    assert.throws(() => resolve('honeypot: { session: { idle: 0s } }'), /honeypot\.session\.idle/);
    assert.throws(() => resolve('honeypot: { for: [] }'), /honeypot\.for/);
  });
});
