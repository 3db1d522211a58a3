import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { compileRule } from '../../src/detect/compile.js';
import { RuleEngine } from '../../src/detect/engine.js';
import { ruleSchema } from '../../src/detect/ruleSchema.js';
import { TargetTable } from '../../src/detect/targets.js';
import type { Engine } from '../../src/detect/types.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { type JudgedConnection, LocalJudge } from '../../src/monitor/judge/judge.js';
import { rawRequestKey } from '../../src/monitor/judge/rawRequestKey.js';

/**
 * The monitor's judge keeps what a request's own rules found (src/detect/requestMemo.ts) and
 * judges a repeat by the other rules alone: its events must be those of a judge that runs
 * `match` on every request, whoever sends the request, whatever proxy names its client.
 */
const SERVER = { ip: '10.30.0.80', port: 80 };

/** `engine` without its split (`matchRequest`, `matchKnown`): the judge then runs `match` every time. */
function unsplit(engine: RuleEngine): Engine {
  return { ruleCount: engine.ruleCount, match: (o) => engine.match(o), mayMatch: (o) => engine.mayMatch(o) };
}

/** `engine`, counting the repeats it was asked to judge. */
function counted(engine: RuleEngine): { engine: Engine; repeats: () => number } {
  let repeats = 0;
  return {
    engine: {
      ruleCount: engine.ruleCount,
      match: (o) => engine.match(o),
      mayMatch: (o) => engine.mayMatch(o),
      matchRequest: (o) => engine.matchRequest(o),
      matchKnown: (o, known) => {
        repeats++;
        return engine.matchKnown(o, known);
      },
    },
    repeats: () => repeats,
  };
}

interface Sent {
  readonly client: string;
  readonly raw: string;
  readonly malformed?: string;
  readonly status: number | null;
}

/** The events a judge over `engine` makes of `sent`, each request on a connection of its own. */
function judged(engine: Engine, sent: readonly Sent[], trustedProxies?: string[]): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const judge = new LocalJudge<JudgedConnection>({
    engine,
    allFlows: false,
    behaviours: builtInBehaviours(),
    trustedProxies,
    onEvent: (e) => events.push(e),
    onFlow: () => {},
  });
  sent.forEach((s, i) => {
    const conn = { id: i, start: 1_700_000_000_000 + i, client: { ip: s.client, port: 40000 + i }, server: SERVER };
    const time = conn.start + 5;
    judge.request(conn, {
      raw: Buffer.from(s.raw, 'latin1'),
      malformed: s.malformed ?? null,
      status: s.status,
      time,
      index: 1,
    });
    judge.closed(conn);
  });
  return events;
}

/** Every request of `raws` from every client, round after round, with the statuses in turn. */
function traffic(raws: readonly string[], clients: readonly string[], rounds: number): Sent[] {
  const sent: Sent[] = [];
  const statuses = [200, 404, null, 401];
  for (let r = 0; r < rounds; r++)
    raws.forEach((raw, i) => {
      const client = clients[(r + i) % clients.length] as string;
      sent.push({ client, raw, status: statuses[(r + i) % statuses.length] ?? null });
    });
  return sent;
}

/** Rules to tell a broken memo apart: one on a header's value, one on source and path, between two on the path. */
function probeEngine(): RuleEngine {
  const targets = new TargetTable();
  const rule = (id: string, when: unknown[]) =>
    compileRule(
      ruleSchema.parse({
        id,
        name: id,
        threat: id,
        severity: 'high',
        score: 10,
        action: 'log',
        when,
        examples: { match: ['GET / HTTP/1.1'], nearMiss: ['GET / HTTP/1.1'] },
      }),
      {},
      targets,
    );
  return new RuleEngine([
    rule('probe-header', [{ field: 'header:x-probe', op: 'contains', values: ['evil'] }]),
    rule('admin-from-net', [
      { field: 'source.ip', op: 'cidr', values: ['203.0.113.0/24'] },
      { field: 'request.path', op: 'contains', values: ['/admin'] },
    ]),
    rule('admin-path', [{ field: 'request.path', op: 'contains', values: ['/admin'] }]),
    rule('malformed', [{ field: 'request.malformed', op: 'present' }]),
  ]);
}

describe("the monitor judge's memo of repeated requests", () => {
  it('makes the events of a judge that matches every request, over the built-in rules', () => {
    const engine = loadEngine();
    const raws = [
      'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: bench\r\n\r\n',
      'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n',
      'GET /.env HTTP/1.1\r\nHost: www.example.com\r\n\r\n',
      "GET /index.php?id=1'%20UNION%20SELECT%20password%20FROM%20users-- HTTP/1.1\r\nHost: a\r\n\r\n",
      'GET / HTTP/1.1\r\n\r\n',
      'POST /wp-login.php HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nlog=admin',
      'GET /missing-page.html HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 0.1.2.3\r\n\r\n',
      'GET /missing-page.html HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 198.51.100.9\r\n\r\n',
    ];
    const sent = traffic(raws, ['198.51.100.7', '0.1.2.3', '10.1.2.3', '240.0.0.9'], 12);
    for (const proxies of [undefined, ['10.0.0.0/8']]) {
      const expected = judged(unsplit(engine), sent, proxies);
      const probe = counted(engine);
      assert.deepEqual(judged(probe.engine, sent, proxies), expected);
      assert.ok(probe.repeats() > sent.length / 2, `${probe.repeats()} repeats judged from the memo`);
      const bogon = expected.filter((e) => e.bansho.matches?.some((m) => m.rule === 'bogon-source-http'));
      assert.ok(bogon.length > 10 && expected.length > bogon.length, `${bogon.length} of ${expected.length}`);
    }
  });

  it('tells apart requests that differ in a header value, the source or the malformed reason', () => {
    const engine = probeEngine();
    const raws = [
      'GET /admin/ HTTP/1.1\r\nX-Probe: fine\r\n\r\n',
      'GET /admin/ HTTP/1.1\r\nX-Probe: evil\r\n\r\n',
      'GET /home HTTP/1.1\r\nX-Probe: fine\r\n\r\n',
      'GET /home HTTP/1.1\r\nX-Probe: evil\r\n\r\n',
    ];
    const sent = traffic(raws, ['203.0.113.5', '198.51.100.7'], 6);
    for (const raw of raws)
      sent.push({ client: '203.0.113.5', raw, malformed: 'header line without a colon', status: 400 });
    const expected = judged(unsplit(engine), sent);
    assert.deepEqual(judged(engine, sent), expected);
    const ids = (e: SecurityEvent) => (e.bansho.matches ?? []).map((m) => m.rule).join();
    // All four rules, in rule order: the context rule's match merged between the request's own.
    assert.ok(expected.some((e) => ids(e) === 'probe-header,admin-from-net,admin-path,malformed'));
    assert.ok(expected.some((e) => ids(e) === 'probe-header,admin-path'));
    assert.ok(expected.some((e) => ids(e) === 'admin-path'));
  });

  it('keys a request by every part it is made of', () => {
    assert.notEqual(rawRequestKey('GET / HTTP/1.1', null), rawRequestKey('GET / HTTP/1.1', ''));
    assert.notEqual(rawRequestKey('1:xGET /', null), rawRequestKey('GET /', 'x'));
    assert.notEqual(rawRequestKey('-GET /', null), rawRequestKey('GET /', '-'));
    assert.equal(rawRequestKey('GET /', 'x'), rawRequestKey('GET /', 'x'));
  });
});
