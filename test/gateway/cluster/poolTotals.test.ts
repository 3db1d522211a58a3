import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PoolSum, type SiblingTotals } from '../../../src/gateway/cluster/poolTotals.js';
import {
  addTotals,
  emptyTotals,
  type GatewayTotals,
  isGatewayTotals,
  OutcomeCounts,
} from '../../../src/gateway/gatewayTotals.js';
import { listeningPort, startBansho } from '../../cli/run.js';
import { samples } from '../../web/dashboardHelpers.js';
import { openRaw, upstreamForSuite, waitFor } from '../helpers.js';
import { childPids, HeldConnection, ownerOf } from './heldConnection.js';

const CONNECT = 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n';

/** Totals with `forwarded` requests, `banned` PrettyPark bans and a fleet link in `state`. */
function totals(forwarded: number, banned: number, state: 'up' | 'down' = 'up', backlog = 0): GatewayTotals {
  const zero = emptyTotals();
  return {
    ...zero,
    counts: { ...zero.counts, forwarded },
    outcomes: { ...zero.outcomes, banned: { prettypark: banned } },
    fleet: { state, outages: 0, catchUps: 0, eventsShipped: forwarded, bansShipped: 0, bansReceived: 0, backlog },
  };
}

const sibling = (index: number, pid: number, t: GatewayTotals): SiblingTotals => ({ index, pid, totals: t });

describe("the pool's totals: one dashboard for every worker", () => {
  it('adds counts, keeps the ban list and the journal backlog once, and is up only when every link is', () => {
    const sum = addTotals(totals(3, 1, 'up', 7), totals(4, 2, 'down', 5));
    assert.equal(sum.counts.forwarded, 7);
    assert.equal(sum.outcomes.banned.prettypark, 3);
    assert.equal(sum.fleet?.eventsShipped, 7);
    assert.equal(sum.fleet?.state, 'down');
    assert.equal(sum.fleet?.backlog, 7, "the journal is shared: its backlog is one reading, not each worker's added");
    assert.equal(sum.workers, 2);
  });

  it('never goes back: a late sibling counts with its last reply, a replaced one keeps its counts', () => {
    const pool = new PoolSum();
    const own = totals(10, 0);
    pool.update([sibling(2, 200, totals(5, 1)), sibling(3, 300, totals(6, 0))]);
    assert.equal(pool.total(own).counts.forwarded, 21);
    // Worker 3 late this time: its last totals stay in the sum.
    pool.update([sibling(2, 200, totals(8, 1))]);
    assert.equal(pool.total(own).counts.forwarded, 24);
    assert.equal(pool.total(own).workers, 3);
    // Worker 2 died and was replaced (a new pid starting from zero): its 8 stay counted.
    pool.update([sibling(2, 201, totals(1, 0, 'down')), sibling(3, 300, totals(7, 0))]);
    const after = pool.total(own);
    assert.equal(after.counts.forwarded, 10 + 8 + 1 + 7);
    assert.equal(after.outcomes.banned.prettypark, 1);
    assert.equal(after.workers, 3, 'the replaced process is not a live worker');
    assert.equal(after.fleet?.state, 'down', "the replacement's own link state counts");
    pool.update([sibling(2, 201, totals(2, 0, 'up'))]);
    assert.equal(pool.total(own).fleet?.state, 'up', "the dead worker's link state is no longer news");
  });

  it('takes totals from a sibling only whole: a message short of a field is not added', () => {
    assert.ok(isGatewayTotals(JSON.parse(JSON.stringify(totals(1, 1)))));
    const { latency: _, ...noLatency } = totals(1, 1);
    assert.equal(isGatewayTotals(noLatency), false);
    const t = totals(1, 1);
    assert.equal(isGatewayTotals({ ...t, counts: { ...t.counts, refused: '3' } }), false);
    assert.equal(isGatewayTotals({ ...t, outcomes: { ...t.outcomes, blocked: { x: null } } }), false);
    assert.equal(isGatewayTotals({ ...t, fleet: { ...t.fleet, state: 'sideways' } }), false);
  });

  it('counts events by action and threat as the gateway queues them', () => {
    const counts = new OutcomeCounts();
    const event = (action: string, id?: string, count?: number) =>
      ({ event: { action, ...(count ? { count } : {}) }, ...(id ? { threat: { software: { id } } } : {}) }) as never;
    counts.observe(event('banned', 'prettypark'));
    counts.observe(event('banned', 'prettypark'));
    counts.observe(event('blocked'));
    counts.observe(event('dropped', undefined, 5));
    counts.observe(event('allowed'));
    const snap = counts.snapshot();
    assert.deepEqual(snap, { dropped: 5, blocked: { '': 1 }, banned: { prettypark: 2 }, detected: {} });
    counts.observe(event('banned', 'prettypark'));
    assert.equal(snap.banned.prettypark, 2, 'a snapshot is a copy');
  });

  describe('serve --workers 2', () => {
    const site = upstreamForSuite('bansho-pool-');

    it("reports every worker's requests and bans on /metrics and /api/stats, not the dashboard worker's alone", async () => {
      const args = site.serveArgs(
        'pool.db',
        '--workers',
        '2',
        '--dashboard',
        '127.0.0.1:0',
        '--metrics',
        '127.0.0.1:0',
      );
      const { child, output, exited } = startBansho(args);
      try {
        // The start lines may reach this pipe in more than one piece: wait for the last one too.
        const [port, dashboardUrl, metricsUrl] = await waitFor(
          'both workers to listen, with the dashboard and /metrics',
          () => {
            const dashboard = /dashboard on (\S+)\n/.exec(output.stderr)?.[1];
            const metrics = /metrics on (\S+)\n/.exec(output.stderr)?.[1];
            const listening = /2 worker processes/.test(output.stderr) ? listeningPort(output.stderr) : undefined;
            return listening && dashboard && metrics ? ([listening, dashboard, metrics] as const) : undefined;
          },
          30_000,
        );
        const workers = childPids(child.pid ?? 0);
        assert.equal(workers.length, 2);
        // Forwarded requests until each worker has served some (the kernel decides who accepts).
        const served = new Map<number, number>();
        let forwarded = 0;
        for (let round = 0; round < 20 && served.size < 2; round++) {
          const held = await Promise.all(Array.from({ length: 8 }, () => HeldConnection.open(port, '127.0.0.80')));
          for (const c of held) {
            assert.equal(await c.get(), 'answered');
            forwarded++;
            const owner = ownerOf(port, { ip: '127.0.0.80', port: c.socket.localPort ?? 0 }, workers);
            if (owner !== null) served.set(owner, (served.get(owner) ?? 0) + 1);
            c.socket.destroy();
          }
        }
        assert.equal(served.size, 2, `requests reached ${served.size} of 2 workers`);
        // PrettyPark's CONNECT from sources until each worker has banned one.
        const banning = new Set<number>();
        let banned = 0;
        for (let i = 1; i <= 40 && banning.size < 2; i++) {
          const ip = `127.0.8.${i}`;
          const socket = await openRaw(port, ip);
          const owner = await waitFor(
            'the connection in a worker',
            () => ownerOf(port, { ip, port: socket.localPort ?? 0 }, workers) ?? undefined,
          );
          banning.add(owner);
          const answer = new Promise<string>((resolve) => {
            socket.once('data', (d: Buffer) => resolve(d.toString('latin1')));
            socket.once('close', () => resolve(''));
          });
          socket.write(CONNECT);
          const refused = await answer;
          socket.destroy();
          assert.ok(refused.startsWith('HTTP/1.1 400 Bad Request'), refused);
          banned++;
        }
        assert.equal(banning.size, 2, `bans made by ${banning.size} of 2 workers`);
        const m = samples(await (await fetch(metricsUrl)).text());
        assert.equal(m.get('bansho_forwarded_requests_total'), forwarded);
        assert.equal(m.get('bansho_upstream_response_seconds_count'), forwarded);
        assert.equal(m.get('bansho_bans_total{threat="prettypark"}'), banned);
        const judged = (m.get('bansho_forwarded_requests_total') ?? 0) + (m.get('bansho_refused_requests_total') ?? 0);
        assert.equal(m.get('bansho_requests_total'), judged);
        const stats = (await (await fetch(`${dashboardUrl}/api/stats`)).json()) as {
          gateway: { forwarded: number; workers: number; upstreamLatency: { count: number } };
        };
        assert.equal(stats.gateway.workers, 2);
        assert.equal(stats.gateway.forwarded, forwarded);
        assert.equal(stats.gateway.upstreamLatency.count, forwarded);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output.stderr);
    });
  });
});
