import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { resolveFormat } from '../../src/logs/formats.js';
import { analyzeFiles } from '../../src/logs/run.js';
import { openSqlite, SqliteEventStore } from '../../src/store/index.js';
import { ptrName, startDnsResponder } from '../intel/dnsResponder.js';
import { analyzeCli, options } from './analyzeRun.js';
import { combinedLine, EPISODES, SEED_TIME, seedIncident, seedYearLog } from './fixtures.js';

describe('analyze: files into the store', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-analyze-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the seed incident in every episode and stores it once, however often imported', async () => {
    const file = join(dir, 'access.log');
    writeFileSync(file, `${seedYearLog().join('\n')}\n`);
    const store = new SqliteEventStore(openSqlite(join(dir, 'a.db')));
    const first = await analyzeFiles([file], options, (e) => store.appendEncodedSync(e));
    const s = first.analyzer.stats;
    assert.equal(s.garbage, 0);
    assert.equal(s.matchedLines, EPISODES.length * 4, 'the GET and three CONNECTs of each episode');
    assert.equal(first.added, EPISODES.length * 4);
    assert.deepEqual([...s.threats.keys()], ['prettypark']);
    assert.equal(s.first, EPISODES[0]);
    const events = await store.query({});
    assert.ok(events.every((e) => e.event.action === 'detected' && e.bansho.sensor === 'logs'));
    assert.ok(events.some((e) => e.bansho.evidence?.includes('"CONNECT maila.microsoft.com:25 / HTTP/1.0" 400')));
    assert.equal(events[0]?.['@timestamp'], new Date(EPISODES[0] as number).toISOString());

    // Again, and again under another name, gzipped: nothing new.
    const again = await analyzeFiles([file], options, (e) => store.appendEncodedSync(e));
    assert.equal(again.added, 0);
    assert.equal(again.made, EPISODES.length * 4);
    const gz = join(dir, 'access.log.2.gz');
    writeFileSync(gz, gzipSync(`${seedYearLog().join('\n')}\n`));
    const zipped = await analyzeFiles([gz], options, (e) => store.appendEncodedSync(e));
    assert.equal(zipped.analyzer.stats.matchedLines, EPISODES.length * 4);
    assert.equal(zipped.added, 0);
    assert.equal(await store.count({}), EPISODES.length * 4);
  });

  it('keeps identical lines as distinct facts (same second, same request)', async () => {
    const file = join(dir, 'dupes.log');
    const line = combinedLine('151.21.4.7', SEED_TIME, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226);
    writeFileSync(file, `${[line, line, line].join('\n')}\n`);
    const store = new SqliteEventStore(openSqlite(join(dir, 'b.db')));
    const r = await analyzeFiles([file], options, (e) => store.appendEncodedSync(e));
    assert.equal(r.added, 3);
    assert.equal((await analyzeFiles([file], options, (e) => store.appendEncodedSync(e))).added, 0);
  });

  it('counts garbage and keeps going: binary noise, truncated lines, an empty request', async () => {
    const file = join(dir, 'mixed.log');
    const lines = [
      ...seedIncident('151.21.4.7', SEED_TIME, 1),
      '\x00\x01\x02garbage',
      '151.21.4.7 - - [03/Feb/2003:00:12:44 +0000] "GET / HTT',
      '',
      '198.51.100.9 - - [03/Feb/2003:00:13:00 +0000] "-" 408 0 "-" "-"',
      '{"remote_addr":"203.0.113.8","time_iso8601":"2003-02-03T01:00:00+00:00","request":"CONNECT foo.com:25 HTTP/1.1","status":"400"}',
      '151.21.4.7 - - [03/Feb/2003:00:14:00 +0000] "CONNECT maila.microsoft.com:25 / HTTP/1.0" 400 226',
      `x${'y'.repeat(100_000)}`,
    ];
    writeFileSync(file, lines.join('\n'));
    const r = await analyzeFiles([file], options, () => 0);
    const s = r.analyzer.stats;
    assert.equal(s.lines, lines.length);
    assert.equal(s.blank, 1);
    assert.equal(s.garbage, 3);
    assert.equal(s.noRequest, 1);
    assert.equal(s.parsed, 5);
    assert.equal(s.matchedLines, 4, 'combined, JSON and common lines all reach the engine');
    assert.ok(s.sources.has('203.0.113.8'));
    assert.ok(s.garbageSamples.every((g) => g.length <= 200));
  });

  it('reports a file it cannot open, a corrupt gzip, and carries on', async () => {
    const good = join(dir, 'good.log');
    writeFileSync(good, `${seedIncident('151.21.4.7', SEED_TIME, 1).join('\n')}\n`);
    const bad = join(dir, 'bad.gz');
    const zipped = gzipSync(`${seedIncident('151.21.4.7', SEED_TIME, 50).join('\n')}\n`);
    writeFileSync(bad, zipped.subarray(0, Math.floor(zipped.length / 2)));
    const r = await analyzeFiles([join(dir, 'missing.log'), bad, good], options, () => 0);
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0]?.message ?? '', /ENOENT/);
    assert.ok(r.analyzer.stats.matchedLines >= 2, 'lines of the good file (and what the bad gzip held) still count');
  });

  it('honours an explicit format', async () => {
    const file = join(dir, 'custom.log');
    writeFileSync(file, 'www.example.org 151.21.4.7 1044231171 "CONNECT maila.microsoft.com:25 / HTTP/1.0" 400\n');
    const r = await analyzeFiles([file], { ...options, format: resolveFormat('%v %h %{sec}t \\"%r\\" %>s') }, () => 0);
    assert.equal(r.analyzer.stats.matchedLines, 1);
    assert.equal(r.analyzer.stats.first, 1044231171000);
  });
});

describe('bansho analyze (the command)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-analyze-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads stdin with --json and prints events then a summary', async () => {
    const input = `${seedIncident('151.21.4.7', SEED_TIME, 2).join('\n')}\nnot a log line\n`;
    const { code, stdout } = await runCli(['analyze', '-', '--json', '--no-origins', '--db', join(dir, 'c.db')], input);
    assert.equal(code, 0);
    const docs = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = docs.pop().summary;
    assert.equal(docs.length, 3);
    assert.equal(docs[0].threat.software.name, 'PrettyPark');
    assert.equal(summary.garbage, 1);
    assert.equal(summary.eventsNew, 3);
    assert.equal(summary.threats[0].id, 'prettypark');
    assert.equal(summary.first, '2003-02-03T00:12:44Z');
  });

  it('prints a summary with origins and their attribution', async () => {
    const file = join(dir, 'seed.log');
    writeFileSync(file, `${seedIncident('151.21.4.7', SEED_TIME).join('\n')}\n`);
    const { code, stdout } = await runCli(['analyze', file, '--db', join(dir, 'd.db')]);
    assert.equal(code, 0);
    assert.match(stdout, /PrettyPark \[prettypark\]: 4 lines from 1 source/);
    assert.match(stdout, /151\.21\.4\.7: 4 lines, .*Italy \(IT\), AS\d+/);
    assert.match(stdout, /CC BY 4\.0/);
    assert.match(stdout, /db-ip\.com/);
  });
});

describe('bansho analyze --rdns', () => {
  it('names the source by reverse DNS from a loopback resolver and hints at a dial-up pool', async () => {
    const dns = await startDnsResponder({ [ptrName('151.21.4.7')]: 'ppp-151-21-4-7.dialup.example.it' });
    const dir = mkdtempSync(join(tmpdir(), 'bansho-rdns-'));
    try {
      const file = join(dir, 'seed.log');
      writeFileSync(file, `${seedIncident('151.21.4.7', SEED_TIME).join('\n')}\n`);
      const { code, stdout } = await runCli([
        'analyze',
        file,
        '--db',
        join(dir, 'r.db'),
        '--rdns',
        '--dns-server',
        dns.server,
      ]);
      assert.equal(code, 0);
      assert.match(
        stdout,
        /151\.21\.4\.7: 4 lines, .*Italy \(IT\), AS\d+ .*ppp-151-21-4-7\.dialup\.example\.it, looks like a dial-up address \(ppp\)/,
      );
    } finally {
      await dns.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function runCli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('analyze: behaviour across lines', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-behaviour-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const SCANNER = '203.0.113.66';
  const GUESSER = '198.51.100.23';
  /** Ordinary visitors (a missing favicon among them), a path scanner and a wp-login guesser, interleaved. */
  function mixedLog(): string[] {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = SEED_TIME + i * 500;
      lines.push(combinedLine(`192.0.2.${1 + (i % 7)}`, t, `GET /page${i % 5}.html HTTP/1.1`, 200, 900));
      if (i % 3 === 0) lines.push(combinedLine('192.0.2.1', t, 'GET /favicon.ico HTTP/1.1', 404, 0));
      if (i < 14) lines.push(combinedLine(SCANNER, t + 1, `GET /old/page${i}.html HTTP/1.1`, 404, 153));
      if (i >= 20 && i < 27) lines.push(combinedLine(GUESSER, t + 2, 'POST /wp-login.php HTTP/1.1', 200, 4100));
    }
    return lines;
  }

  it('names a path scan and a login guesser once each, with their lines as evidence, and stores them once', async () => {
    const file = join(dir, 'mixed.log');
    const lines = mixedLog();
    writeFileSync(file, `${lines.join('\n')}\n`);
    const store = new SqliteEventStore(openSqlite(join(dir, 'behaviour.db')));
    const first = await analyzeFiles([file], options, (e) => store.appendEncodedSync(e));
    const s = first.analyzer.stats;
    assert.equal(s.matchedLines, 0, 'no single line is an attack');
    assert.equal(s.findings, 2);
    const events = store.querySync({});
    assert.deepEqual(events.map((e) => `${e.threat?.software?.id} ${e.source.ip}`).sort(), [
      `web-path-probing ${SCANNER}`,
      `wordpress-login-bruteforce ${GUESSER}`,
    ]);
    const probe = events.find((e) => e.threat?.software?.id === 'web-path-probing');
    const evidence = probe?.bansho.evidence?.split('\n') ?? [];
    const scanned = lines.filter((l) => l.startsWith(SCANNER));
    assert.deepEqual(evidence, scanned.slice(6, 11), 'the last five of the eleven lines that filled the bucket');
    // Placed at the line that made the bucket overflow: the scanner's eleventh request.
    const eleventh = scanned[10] as string;
    assert.equal(probe?.bansho.origin?.line, lines.indexOf(eleventh) + 1);
    assert.equal(probe?.threat?.software?.name, 'Web path probing');
    assert.match(probe?.message ?? '', /^detected: Web path probing from 203\.0\.113\.66: 11 requests/);

    const again = await analyzeFiles([file], options, (e) => store.appendEncodedSync(e));
    assert.equal(again.made, 2);
    assert.equal(again.added, 0, 're-importing adds nothing twice');
  });

  it('prints findings in the summary apart from threat lines', () => {
    const file = join(dir, 'summary.log');
    writeFileSync(file, `${mixedLog().join('\n')}\n`);
    const out = analyzeCli(file, '--db', join(dir, 's.db'), '--no-origins', '--no-progress');
    assert.match(out, /^threat lines: 0; behaviour findings: 2; events: 2 new/m);
    assert.match(out, /Web path probing \[web-path-probing\]: 1 behaviour finding from 1 source/);
    assert.match(out, /203\.0\.113\.66: 1 behaviour finding, web-path-probing/);
  });

  it("takes the site's config file: its behaviour limits and its names", () => {
    const file = join(dir, 'config.log');
    const lines = mixedLog();
    // An absolute-form request for the site's own name: proxy abuse unless the config names it.
    lines.push(combinedLine('192.0.2.9', SEED_TIME + 30_000, 'GET http://www.example.org/ HTTP/1.1', 200, 900));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const config = join(dir, 'site.yaml');
    writeFileSync(
      config,
      'upstream: http://127.0.0.1:8080\nsite_names: [www.example.org]\nbehaviours:\n  path-probing: { capacity: 20 }\n',
    );
    let run = 0;
    const analyze = (...extra: string[]) =>
      analyzeCli(file, '--db', join(dir, `c${run++}.db`), '--no-origins', ...extra);
    assert.match(analyze(), /^threat lines: 1; behaviour findings: 2;/m, 'built-in limits, no site names');
    const tuned = analyze('--config', config);
    assert.match(
      tuned,
      /^threat lines: 0; behaviour findings: 1;/m,
      '14 missing paths are within 20; the site is its own',
    );
    assert.match(tuned, /wordpress-login-bruteforce/);
    assert.doesNotMatch(tuned, /web-path-probing/);
  });
});
