/**
 * CRS beside the packs in every sensor (issue 19 item 3), on the miniature CRS of
 * test/fixtures/crs-mini: the detector's matches, the config section and flags, and end to end
 * `bansho serve`, `analyze`, `monitor` and `rules test` started as a user would.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadEngine } from '../../src/catalog/index.js';
import { type CrsSettings, parseConfigText, resolveCrs } from '../../src/config/index.js';
import { CrsDetector, withCrs } from '../../src/crs/index.js';
import { httpObservation } from '../../src/detect/examples.js';
import type { Match } from '../../src/detect/types.js';
import type { HttpObservation } from '../../src/observe/observation.js';
import { bansho, listeningPort, startBansho } from '../cli/run.js';
import { rawRequest, tempDir, upstreamForSuite, waitFor } from '../gateway/helpers.js';
import { pcap } from '../monitor/helpers/captureWriter.js';
import { httpExchangePackets } from '../monitor/helpers/packets.js';

const MINI = new URL('../fixtures/crs-mini/', import.meta.url).pathname;
const SQLI = "/search?q=1'%20or%201=1--%20";
const XSS = '/search?q=%3Cscript%3Ealert(1)%3C/script%3E';

const tmp = tempDir('bansho-crs-sensors-');
const env = { BANSHO_CACHE_DIR: join(tmp.dir, 'cache') };
before(() => {
  process.env.BANSHO_CACHE_DIR = env.BANSHO_CACHE_DIR;
});
after(() => {
  delete process.env.BANSHO_CACHE_DIR;
  tmp.cleanup();
});

/** `--crs MINI` with the config's defaults, and `over` on top. */
const settings = (over: Partial<CrsSettings> = {}): CrsSettings => {
  const flags = resolveCrs(undefined, { crs: MINI });
  assert.ok(flags !== null);
  return { ...flags, ...over };
};

function observe(target: string, headers = 'Host: www.example.org\r\n'): HttpObservation {
  const o = httpObservation(`GET ${target} HTTP/1.1\r\n${headers}\r\n`, '198.51.100.9');
  assert.equal(o.kind, 'http');
  return o as HttpObservation;
}

const crsOnly = (matches: readonly Match[]) => matches.filter((m) => m.ruleId.startsWith('crs-'));

describe('CRS as a detector beside the packs', () => {
  it('names the rule, message, tags, threat class, matched variable and value; the blocking rule carries 403', () => {
    const engine = withCrs(loadEngine(), CrsDetector.load(settings()));
    const matches = crsOnly(engine.match(observe(SQLI)));
    assert.deepEqual(
      matches.map((m) => [m.ruleId, m.threatId, m.score, m.action, m.status]),
      [
        ['crs-942100', 'sql-injection', 5, 'log', undefined],
        ['crs-949110', 'sql-injection', 0, 'block', 403],
      ],
    );
    const sqli = matches[0] as Match;
    assert.equal(sqli.ruleName, 'SQL Injection Attack Detected via libinjection');
    assert.equal(sqli.field, 'ARGS:q');
    assert.equal(sqli.value, "1' or 1=1-- ");
    assert.deepEqual(sqli.tags, ['attack-sqli', 'paranoia-level/1']);
    assert.equal(sqli.severity, 'critical');
    const xss = crsOnly(engine.match(observe(XSS)));
    assert.deepEqual(
      xss.map((m) => [m.ruleId, m.threatId]),
      [
        ['crs-941100', 'xss'],
        ['crs-949110', 'xss'],
      ],
    );
  });

  it('a benign request adds nothing; datagrams go to the packs alone', () => {
    const engine = withCrs(loadEngine(), CrsDetector.load(settings()));
    assert.deepEqual(engine.match(observe('/index.html?page=2')), []);
    assert.equal(engine.ruleCount, loadEngine().ruleCount + CrsDetector.load(settings()).ruleCount);
  });

  it('rules above the blocking level log with no score; the configured status is the refusal', () => {
    const detector = CrsDetector.load(settings({ detectionParanoiaLevel: 2, blockStatus: 406 }));
    const word = detector.match(observe('/search?q=select'));
    assert.deepEqual(
      word.map((m) => [m.ruleId, m.score, m.action]),
      [['crs-942999', 0, 'log']],
    );
    const blocked = detector.match(observe(SQLI));
    assert.equal(blocked.find((m) => m.action === 'block')?.status, 406);
  });

  it("judges a missing header only where headers are whole: not on an access log's line", () => {
    const detector = CrsDetector.load(settings());
    const noHost = observe('/', 'User-Agent: x\r\n');
    assert.deepEqual(
      detector.match(noHost).map((m) => [m.ruleId, m.score, m.threatId]),
      [['crs-920280', 0, 'malformed-request']],
    );
    assert.deepEqual(detector.match({ ...noHost, sensor: 'logs' }), []);
  });

  it("scores a source only for requests that reach CRS's inbound threshold, as CRS blocks only those", () => {
    const scored = (detector: CrsDetector, o: HttpObservation) =>
      detector.match(o).map((m) => [m.ruleId, m.score, m.action]);
    const numericHost = observe('/', 'Host: 192.0.2.7\r\n');
    const normal = CrsDetector.load(settings());
    // A warning (3) below the threshold (5): reported, but it adds nothing to the source's score.
    assert.deepEqual(scored(normal, numericHost), [['crs-920350', 0, 'log']]);
    // The same request with an attack reaches the threshold: every match adds what CRS counted.
    assert.deepEqual(scored(normal, observe(SQLI, 'Host: 192.0.2.7\r\n')), [
      ['crs-920350', 3, 'log'],
      ['crs-942100', 5, 'log'],
      ['crs-949110', 0, 'block'],
    ]);
    // The threshold is CRS's own: lowered in the config, the warning alone blocks and scores.
    assert.deepEqual(scored(CrsDetector.load(settings({ inboundThreshold: 3 })), numericHost), [
      ['crs-920350', 3, 'log'],
      ['crs-949110', 0, 'block'],
    ]);
  });
});

const DEBIAN_CRS = '/usr/share/modsecurity-crs';

describe("Debian's modsecurity-crs (CRS 3.3)", () => {
  it('loads from /usr/share/modsecurity-crs with its setup from /etc/modsecurity/crs, and blocks SQL injection', {
    skip: existsSync(DEBIAN_CRS) ? false : `${DEBIAN_CRS} absent (apt-get install modsecurity-crs)`,
  }, () => {
    const detector = CrsDetector.load(settings({ dir: DEBIAN_CRS }));
    assert.deepEqual(
      detector.match(
        observe('/index.html?page=2', 'Host: www.example.org\r\nAccept: */*\r\nUser-Agent: Mozilla/5.0\r\n'),
      ),
      [],
    );
    const matches = detector.match(
      observe(SQLI, 'Host: www.example.org\r\nAccept: */*\r\nUser-Agent: Mozilla/5.0\r\n'),
    );
    assert.ok(matches.some((m) => m.ruleId === 'crs-942100' && m.threatId === 'sql-injection'));
    assert.equal(matches.find((m) => m.action === 'block')?.ruleId, 'crs-949110');
  });
});

describe('crs in the config and on the command line', () => {
  it('reads the crs section, flags over the file', () => {
    const file = parseConfigText(
      `crs:\n  dir: ${MINI}\n  paranoia_level: 2\n  block_status: 406\n  exclusions: ['SecRuleRemoveById 920280']\n`,
      'site.yaml',
    );
    assert.deepEqual(resolveCrs(file.crs), {
      dir: MINI,
      paranoiaLevel: 2,
      detectionParanoiaLevel: 2,
      inboundThreshold: null,
      blockStatus: 406,
      setupFile: null,
      exclusions: ['SecRuleRemoveById 920280'],
    });
    assert.equal(resolveCrs(file.crs, { paranoia: '3' })?.paranoiaLevel, 3);
    assert.equal(resolveCrs(undefined, { crs: '/x' })?.paranoiaLevel, 1);
    assert.equal(resolveCrs(undefined), null);
    assert.throws(() => resolveCrs(undefined, { paranoia: '2' }), /--paranoia goes with --crs/);
    assert.throws(() => resolveCrs(undefined, { crs: '/x', paranoia: '5' }), /1 to 4/);
    assert.throws(() => parseConfigText('crs:\n  dir: /x\n  paranoia: 2\n', 'bad.yaml'), /paranoia/);
  });
});

describe('bansho with --crs, end to end', () => {
  const site = upstreamForSuite();

  it('serve: a CRS block is refused with 403 and recorded with the CRS rule; a benign request is forwarded', async () => {
    const { child, output, exited } = startBansho(
      [
        'serve',
        '--upstream',
        site.url,
        '--listen',
        '127.0.0.1:0',
        '--no-dashboard',
        '--db',
        join(tmp.dir, 'serve.db'),
        '--events',
        '-',
        '--crs',
        MINI,
      ],
      { env },
    );
    try {
      const port = await waitFor('the gateway to listen', () => listeningPort(output.stderr), 20_000);
      // Written just after the listening line, possibly in a chunk of its own.
      await waitFor('the CRS line', () =>
        /OWASP CRS from .*crs-mini.* at paranoia level 1 \(\d+ rules\), refusing with 403/.test(output.stderr)
          ? true
          : undefined,
      );
      const ok = await rawRequest(
        port,
        '127.0.0.40',
        'GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      assert.ok(ok.response.startsWith('HTTP/1.1 200'), ok.response);
      const seen = site.upstream.requests.length;
      const refused = await rawRequest(port, '127.0.0.41', `GET ${SQLI} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      assert.ok(refused.response.startsWith('HTTP/1.1 403 Forbidden'), refused.response);
      assert.equal(site.upstream.requests.length, seen, 'never forwarded');
      const line = await waitFor('the event', () => output.stdout.split('\n').find((l) => l.includes('127.0.0.41')));
      const event = JSON.parse(line) as {
        threat?: { software?: { id: string } };
        bansho: { score: number; matches: Array<{ rule: string; threat: string }> };
      };
      assert.equal(event.threat?.software?.id, 'sql-injection');
      assert.ok(event.bansho.matches.some((m) => m.rule === 'crs-942100' && m.threat === 'sql-injection'));
      assert.ok(event.bansho.score >= 5, 'the CRS score is the event’s and the source’s');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output.stderr);
  });

  it('analyze: CRS matches on log lines become events; no missing-header finding on every line', async () => {
    const log = join(tmp.dir, 'access.log');
    writeFileSync(
      log,
      [
        `198.51.100.20 - - [10/Oct/2024:13:55:36 +0000] "GET ${SQLI} HTTP/1.1" 200 12 "-" "Mozilla/5.0"`,
        '198.51.100.21 - - [10/Oct/2024:13:55:37 +0000] "GET /index.html HTTP/1.1" 200 12 "-" "Mozilla/5.0"',
        '',
      ].join('\n'),
    );
    const r = await bansho(
      ['analyze', log, '--json', '--db', join(tmp.dir, 'analyze.db'), '--no-origins', '--crs', MINI],
      {
        env,
        timeoutMs: 60_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"@timestamp"') || l.includes('"source"'))
      .map((l) => JSON.parse(l) as { source?: { ip: string }; bansho?: { matches: Array<{ rule: string }> } })
      .filter((e) => e.source !== undefined);
    const rules = events.flatMap((e) => (e.bansho?.matches ?? []).map((m) => `${e.source?.ip} ${m.rule}`));
    assert.ok(rules.includes('198.51.100.20 crs-942100'), rules.join(', '));
    assert.ok(
      !rules.some((r) => r.endsWith('crs-920280')),
      'a log line keeps no Host header: its absence says nothing',
    );
    assert.ok(!rules.some((r) => r.startsWith('198.51.100.21')), 'the benign line has no finding');
  });

  it('monitor: a request reassembled from packets is judged by CRS on the judge thread', async () => {
    const client = '198.51.100.30';
    const server = '203.0.113.10';
    const req = `GET ${XSS} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: x\r\n\r\n`;
    const res = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const packets = httpExchangePackets({ client, server, clientPort: 40000, request: req, response: res });
    const file = join(tmp.dir, 'xss.pcap');
    writeFileSync(
      file,
      pcap(
        packets.map((data, i) => ({ data, sec: 1_700_000_000, nsec: i * 1000 })),
        { linkType: 101 },
      ),
    );
    const run = (extra: string[]) =>
      bansho(['monitor', '-r', file, '--no-store', '--json', ...extra], { env, timeoutMs: 60_000 });
    const withCrsRun = await run(['--crs', MINI]);
    assert.equal(withCrsRun.code, 0, withCrsRun.stderr);
    const event = withCrsRun.stdout
      .split('\n')
      .filter((l) => l.includes('crs-941100'))
      .map((l) => JSON.parse(l) as { source: { ip: string }; threat?: { software?: { id: string } } })[0];
    assert.equal(event?.source.ip, client);
    assert.equal(event?.threat?.software?.id, 'xss');
    const without = await run([]);
    assert.doesNotMatch(without.stdout, /crs-/, 'without --crs, no CRS');
  });

  it('rules test --json lists CRS matches like any other', async () => {
    const r = await bansho(
      ['rules', 'test', `GET ${SQLI} HTTP/1.1\\r\\nHost: www.example.org\\r\\n\\r\\n`, '--json', '--crs', MINI],
      { env, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { verdict: string; matches: Match[] };
    assert.equal(out.verdict, 'block');
    const m = out.matches.find((x) => x.ruleId === 'crs-942100');
    assert.deepEqual(m && [m.ruleName, m.tags, m.value, m.threatId], [
      'SQL Injection Attack Detected via libinjection',
      ['attack-sqli', 'paranoia-level/1'],
      "1' or 1=1-- ",
      'sql-injection',
    ]);
  });
});
