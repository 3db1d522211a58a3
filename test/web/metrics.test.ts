import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SqliteEventStore } from '../../src/store/index.js';
import { dashboardForSuite, samples, scriptedAttack } from './dashboardHelpers.js';

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p)) ?? null;

describe('Prometheus /metrics beside a real gateway', () => {
  const s = dashboardForSuite();

  it('counts what the store holds: blocked and banned by threat, written events, active bans', async () => {
    await scriptedAttack(s.gatewayPort);
    await s.run.service.gateway.events.flush();
    const res = await fetch(`${s.dashboardUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const m = samples(await res.text());
    const store = new SqliteEventStore(s.db);
    try {
      const all = await store.query({});
      const count = (action: string, threat: string) =>
        all.filter((e) => e.event.action === action && (e.threat?.software?.id ?? 'none') === threat).length;
      for (const [key, value] of m) {
        const blocked = /^bansho_blocked_requests_total\{threat="([^"]+)"\}$/.exec(key);
        if (blocked) assert.equal(value, count('blocked', blocked[1] as string), key);
        const banned = /^bansho_bans_total\{threat="([^"]+)"\}$/.exec(key);
        if (banned) assert.equal(value, count('banned', banned[1] as string), key);
      }
      assert.equal(m.get('bansho_bans_total{threat="prettypark"}'), 1);
      assert.equal(m.get('bansho_bans_total{threat="web-path-probing"}'), 1);
      assert.equal(m.get('bansho_bans_total{threat="http-auth-brute-force"}'), 1);
      assert.equal(m.get('bansho_events_written_total'), all.length);
      assert.equal(m.get('bansho_active_bans'), 3);
      const judged = (m.get('bansho_forwarded_requests_total') ?? 0) + (m.get('bansho_refused_requests_total') ?? 0);
      assert.equal(m.get('bansho_requests_total'), judged);
      // Every forwarded request was answered by the upstream: one latency each, none failed.
      const forwarded = m.get('bansho_forwarded_requests_total') ?? 0;
      assert.ok(forwarded > 0);
      assert.equal(m.get('bansho_upstream_response_seconds_count'), forwarded);
      assert.equal(m.get('bansho_upstream_response_seconds_bucket{le="+Inf"}'), forwarded);
      assert.ok((m.get('bansho_upstream_response_seconds_bucket{le="0.005"}') ?? -1) <= forwarded);
      assert.equal(m.get('bansho_upstream_errors_total'), 0);
      assert.ok(m.has('nodejs_eventloop_lag_seconds'), 'event-loop lag');
      assert.ok(m.has('process_cpu_seconds_total'), 'process metrics');
      for (const key of m.keys()) assert.doesNotMatch(key, /127\.0\.0\./, `no source address in a label: ${key}`);
    } finally {
      await store.close();
    }
  });

  it('passes promtool check metrics', {
    skip: PROMTOOL === null ? 'promtool not installed (Debian package prometheus)' : false,
  }, async () => {
    const text = await (await fetch(`${s.dashboardUrl}/metrics`)).text();
    const check = spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  });
});
