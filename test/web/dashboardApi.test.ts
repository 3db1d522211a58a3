import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawRequest, waitFor } from '../gateway/helpers.js';
import { dashboardForSuite, scriptedAttack } from './dashboardHelpers.js';

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the dashboard JSON API, after a scripted attack through a real gateway', () => {
  const s = dashboardForSuite();
  let attackers: Awaited<ReturnType<typeof scriptedAttack>>;

  it('shows the attack in /api/events, newest first, with a cursor to the next page', async () => {
    attackers = await scriptedAttack(s.gatewayPort);
    await s.run.service.gateway.events.flush();
    const first = await json(`${s.dashboardUrl}/api/events?limit=3`);
    assert.equal(first.status, 200);
    const events = first.body.events as Array<{ time: string; cursor: string; seq: number }>;
    assert.equal(events.length, 3);
    assert.ok(events[0] && events[1] && events[0].time >= events[1].time, 'newest first');
    const next = first.body.next as string;
    const second = await json(`${s.dashboardUrl}/api/events?limit=3&before=${next}`);
    const seqs = new Set(events.map((e) => e.seq));
    for (const e of second.body.events as Array<{ seq: number }>) assert.ok(!seqs.has(e.seq), 'pages do not overlap');
  });

  it('filters events by source, threat and action', async () => {
    const pp = await json(`${s.dashboardUrl}/api/events?source=${attackers.prettyPark}`);
    const ppEvents = pp.body.events as Array<{
      source: { ip: string };
      threat: { id: string } | null;
      evidence: string;
    }>;
    assert.ok(ppEvents.length >= 1);
    assert.ok(ppEvents.every((e) => e.source.ip === attackers.prettyPark));
    assert.ok(
      ppEvents.some((e) => e.evidence === 'CONNECT maila.microsoft.com:25 / HTTP/1.0'),
      'the request line as evidence',
    );
    const banned = await json(`${s.dashboardUrl}/api/events?action=banned`);
    const bannedIps = (banned.body.events as Array<{ source: { ip: string }; action: string }>).map((e) => e.source.ip);
    for (const ip of Object.values(attackers)) assert.ok(bannedIps.includes(ip), `${ip} banned`);
    const probing = await json(`${s.dashboardUrl}/api/events?threat=web-path-probing`);
    assert.ok(
      (probing.body.events as Array<{ source: { ip: string } }>).some((e) => e.source.ip === attackers.scanner),
    );
    const bad = await json(`${s.dashboardUrl}/api/events?source=not-an-ip`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'E_DASHBOARD_BAD_REQUEST');
    assert.equal((await json(`${s.dashboardUrl}/api/sources/%E0%A4%A`)).status, 400, 'a broken %-escape');
  });

  it('ranks sources and gives one source its whole history with its ban', async () => {
    const top = await json(`${s.dashboardUrl}/api/sources`);
    const ips = (top.body.sources as Array<{ ip: string; banned: boolean }>).map((x) => x.ip);
    assert.ok(ips.includes(attackers.scanner));
    const one = await json(`${s.dashboardUrl}/api/sources/${attackers.guesser}`);
    assert.equal(one.status, 200);
    assert.equal((one.body.ban as { target: string }).target, `${attackers.guesser}/32`);
    assert.equal(one.body.offences, 1);
    assert.ok((one.body.total as number) >= 1);
  });

  it('charts threats per hour, day and week with trend and recurrence, and shows a catalog page', async () => {
    for (const unit of ['hour', 'day', 'week']) {
      const r = await json(`${s.dashboardUrl}/api/threats?unit=${unit}`);
      const threats = r.body.threats as Array<{ id: string; counts: number[]; total: number; trendText: string }>;
      const pp = threats.find((t) => t.id === 'prettypark');
      assert.ok(pp, `${unit}: prettypark charted`);
      assert.equal(pp.counts.length, (r.body.buckets as number[]).length);
      assert.ok(pp.total >= 1);
      assert.match(pp.trendText, /in the last/);
    }
    const page = await json(`${s.dashboardUrl}/api/threats/prettypark`);
    const threat = page.body.threat as { name: string; aliases: string[]; advice: string; references: string[] };
    assert.equal(threat.name, 'PrettyPark');
    assert.ok(threat.advice.length > 0 && threat.references.length > 0);
    assert.equal((await json(`${s.dashboardUrl}/api/threats?unit=year`)).status, 400);
  });

  it('adds, extends and removes bans by the rules of `bansho bans`, with the CSRF token', async () => {
    const page = await (await fetch(`${s.dashboardUrl}/bans`)).text();
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
    assert.ok(csrf.length > 10);
    const post = (path: string, body: unknown, token = csrf) =>
      json(`${s.dashboardUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify(body),
      });
    assert.equal((await post('/api/bans', { ip: '198.51.100.7' }, 'wrong')).status, 403, 'no CSRF token, no change');
    const added = await post('/api/bans', { ip: '198.51.100.7', duration: '2h', reason: 'seen in the logs' });
    assert.equal(added.status, 200);
    assert.equal(added.body.kind, 'banned');
    const ban = added.body.ban as { target: string; until: number; since: number; offence: number };
    assert.equal(ban.target, '198.51.100.7/32');
    assert.equal(ban.until - ban.since, 2 * 3_600_000);
    // The running gateway applies it from the store's change log.
    await waitFor('the gateway to apply the ban', () =>
      s.run.service.gateway.bans.isBanned('198.51.100.7') ? true : undefined,
    );
    const v6 = await post('/api/bans', { ip: '2001:db8:1:2::9' });
    assert.equal((v6.body.ban as { target: string }).target, '2001:db8:1:2::/64', 'IPv6 bans its /64');
    const extended = await post('/api/bans/extend', { ip: '198.51.100.7', duration: '1d' });
    assert.equal((extended.body.ban as { until: number }).until, ban.until + 86_400_000);
    assert.equal((extended.body.ban as { offence: number }).offence, 1, 'an extension is not a new offence');
    const list = await json(`${s.dashboardUrl}/api/bans`);
    assert.ok((list.body.bans as Array<{ target: string }>).some((b) => b.target === '198.51.100.7/32'));
    const removed = await post('/api/bans/remove', { ip: '198.51.100.7' });
    assert.equal(removed.body.kind, 'removed');
    assert.equal((await post('/api/bans/remove', { ip: '198.51.100.7' })).status, 404);
    assert.equal((await post('/api/bans', { ip: 'nonsense' })).status, 400);
  });

  it('answers /api/stats with the gateway counters and the bans in force', async () => {
    const stats = await json(`${s.dashboardUrl}/api/stats`);
    const gateway = stats.body.gateway as { refused: number; forwarded: number; events: { written: number } };
    assert.ok(gateway.refused >= 1, 'PrettyPark refused');
    assert.ok(gateway.forwarded >= 10, 'the scan and the guesses reached the site until their bans');
    assert.equal(stats.body.eventsStored, gateway.events.written);
    assert.ok((stats.body.activeBans as number) >= 3);
  });

  it('streams new events over Server-Sent Events within a second', async () => {
    const controller = new AbortController();
    const res = await fetch(`${s.dashboardUrl}/api/live`, { signal: controller.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const sent = Date.now();
    await scriptedAttackOne(s.gatewayPort);
    let text = '';
    while (!text.includes('127.0.0.9')) {
      const chunk = await reader.read();
      assert.ok(!chunk.done, 'stream open');
      text += new TextDecoder().decode(chunk.value);
    }
    assert.ok(Date.now() - sent < 1500, `the event arrived after ${Date.now() - sent} ms`);
    assert.match(text, /event: security\ndata: \{/);
    controller.abort();
  });
});

async function scriptedAttackOne(port: number): Promise<void> {
  await rawRequest(port, '127.0.0.9', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', 2000);
}
