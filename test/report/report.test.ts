import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { OriginDb } from '../../src/intel/origin.js';
import { analyzeFiles } from '../../src/logs/run.js';
import { openSqlite, SqliteEventStore } from '../../src/store/index.js';
import { type Bulletin, buildBulletin } from '../../src/trends/bulletin.js';
import { renderHtml } from '../../src/trends/render/htmlReport.js';
import { renderMarkdown } from '../../src/trends/render/markdown.js';
import { combinedLine, DAY_MS, SEED_TIME, seedYearLog } from '../logs/fixtures.js';
import { buildSeedStore } from './fixtures.js';

const UNTIL = Date.UTC(2003, 1, 8);
const SINCE = UNTIL - 14 * DAY_MS;

describe('the bulletin', () => {
  let dir: string;
  let dbFile: string;
  let bulletin: Bulletin;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-report-'));
    const log = join(dir, 'access.log');
    writeFileSync(log, `${seedYearLog().join('\n')}\n`);
    dbFile = await buildSeedStore(dir, log);
    const store = new SqliteEventStore(openSqlite(dbFile));
    const events = store.querySync({ until: UNTIL });
    await store.close();
    const catalog = loadCatalog();
    const origins = await OriginDb.open();
    bulletin = buildBulletin({
      events,
      since: SINCE,
      until: UNTIL,
      threat: (id) => catalog.get(id),
      origin: (ip) => origins.lookup(ip),
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('headlines what changed: PrettyPark returned on schedule, Slammer dying down', () => {
    const text = bulletin.headline.join('\n');
    assert.match(
      text,
      /PrettyPark returned: 4 episodes, about every 120 days \(intervals 120, 120, 120 days\); the latest began 2003-02-03/,
    );
    assert.match(
      text,
      /SQL Slammer is declining: 19 in the last 7 days, 510 in the 7 days before \(−96.3%\), still trickling in/,
    );
  });

  it('tells the seed incident: evidence, what it is, where from, what bansho did, advice', () => {
    const inc = bulletin.incidents.find((i) => i.threat.id === 'prettypark');
    assert.ok(inc);
    assert.equal(inc.sourceIp, '151.29.130.2');
    assert.equal(inc.start, SEED_TIME);
    const lines = inc.evidence.map((e) => e.line);
    assert.ok(lines.some((l) => l.includes('"GET http://irc.stealth.net:5558/ HTTP/1.1" 200')));
    assert.ok(lines.some((l) => l.includes('"CONNECT maila.microsoft.com:25 / HTTP/1.0" 400')));
    assert.ok(lines.includes('CONNECT maila.microsoft.com:25 / HTTP/1.0'), 'the gateway evidence too');
    assert.equal(inc.origin?.country?.code, 'IT');
    assert.deepEqual(inc.actions, { detected: 4, blocked: 1, banned: 1 });
    assert.deepEqual(inc.bans, [{ target: '151.29.130.2/32', until: '2003-02-03T01:12:51.001Z', offence: 1 }]);
    assert.equal(inc.threatRecurrence, '4 episodes, about every 120 days (intervals 120, 120, 120 days)');
    assert.ok('advice' in inc.threat && inc.threat.advice.length > 20);
    assert.equal(inc.otherSources, 0);
  });

  it('makes one incident of a worm with many sources', () => {
    const slammer = bulletin.incidents.filter((i) => i.threat.id === 'sql-slammer');
    assert.equal(slammer.length, 1);
    const sources = bulletin.threats.find((t) => t.id === 'sql-slammer')?.sources ?? 0;
    assert.ok(sources > 500);
    assert.equal(slammer[0]?.otherSources, sources - 1);
  });

  it('has exact totals and top lists', () => {
    const slammer = bulletin.threats.find((t) => t.id === 'sql-slammer');
    assert.equal(slammer?.total, 529);
    assert.equal(bulletin.threats.find((t) => t.id === 'prettypark')?.total, 5);
    assert.equal(bulletin.totals.bans, 1);
    assert.equal(bulletin.top.countries.find((c) => c.key === 'Italy (IT)')?.count, 5);
    assert.equal(bulletin.top.paths[0]?.key, 'maila.microsoft.com:25');
    assert.equal(bulletin.chart.unit, 'day');
    assert.equal(bulletin.chart.periods.length, 14);
  });

  it('renders Markdown with a counts table and the data attribution', () => {
    const md = renderMarkdown(bulletin);
    assert.match(md, /^# Recent attack trends, 2003-01-25 to 2003-02-07 \(UTC\)/);
    assert.match(md, /\| 2003-01-25 \| 160 \| 0 \|/);
    assert.match(md, /\| 2003-02-03 \| 3 \| 5 \|/);
    assert.match(md, /CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0" 400/);
    assert.match(md, /\[DB-IP\]\(https:\/\/db-ip\.com\)/);
    assert.match(md, /CC BY 4\.0/);
  });

  it('escapes hostile evidence in HTML and Markdown', () => {
    const hostile: Bulletin = {
      ...bulletin,
      incidents: [
        {
          ...(bulletin.incidents[0] as Bulletin['incidents'][number]),
          evidence: [{ time: SEED_TIME, sensor: 'logs', line: 'GET /<script>alert(1)</script>```\x1b[31m HTTP/1.1' }],
        },
      ],
    };
    const page = renderHtml(hostile);
    assert.doesNotMatch(
      renderHtml(bulletin),
      /<script|<link|<img|src=|url\(/i,
      'self-contained: nothing to fetch, nothing to run',
    );
    assert.ok(!page.includes('<script>alert'));
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;```\\x1b\[31m/);
    const md = renderMarkdown(hostile);
    assert.match(md, /````text\n.*```\\x1b\[31m HTTP\/1\.1\n````/);
  });

  it("quotes a behaviour finding's log lines one by one, as many as an incident shows", async () => {
    const log = join(dir, 'scan.log');
    const scanner = '203.0.113.66';
    const lines = Array.from({ length: 14 }, (_, i) =>
      combinedLine(scanner, SEED_TIME + i * 400, `GET /old/page${i}.html HTTP/1.1`, 404, 153),
    );
    writeFileSync(log, `${lines.join('\n')}\n`);
    const store = new SqliteEventStore(openSqlite(join(dir, 'scan.db')));
    const catalog = loadCatalog();
    await analyzeFiles(
      [log],
      { engine: loadEngine(), threatName: (id) => catalog.get(id)?.name, behaviours: builtInBehaviours() },
      (e) => store.appendEncodedSync(e),
    );
    const events = store.querySync({});
    await store.close();
    const scan = buildBulletin({ events, since: SINCE, until: UNTIL, threat: (id) => catalog.get(id) });
    const inc = scan.incidents.find((i) => i.threat.id === 'web-path-probing');
    assert.ok(inc);
    assert.deepEqual(
      inc.evidence.map((e) => e.line),
      lines.slice(6, 11),
      'the last five of the eleven lines behind the finding (what a finding keeps), each on its own',
    );
    assert.equal(inc.count, 1, 'one finding');
  });

  it('bansho report writes both formats from the store', () => {
    const out = join(dir, 'report.html');
    const args = [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'report',
      '--db',
      dbFile,
      '--since',
      '14d',
      '--until',
      '2003-02-08',
    ];
    const html = spawnSync(process.execPath, [...args, '--format', 'html', '--out', out], { encoding: 'utf8' });
    assert.equal(html.status, 0, html.stderr);
    assert.match(readFileSync(out, 'utf8'), /<svg class="trend-chart"/);
    const md = spawnSync(process.execPath, [...args, '--no-origins'], { encoding: 'utf8' });
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /PrettyPark returned/);
    assert.doesNotMatch(md.stdout, /db-ip/, 'no origin data shown, so no credit needed');
    const bad = spawnSync(process.execPath, [...args, '--format', 'pdf'], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
  });

  it('renders its charts in headless Chromium (screenshot in test-output/report.png)', async (t) => {
    if (!existsSync('/usr/bin/chromium')) {
      t.skip('chromium not installed at /usr/bin/chromium');
      return;
    }
    const file = join(dir, 'bulletin.html');
    writeFileSync(file, renderHtml(bulletin));
    const profile = mkdtempSync(join(tmpdir(), 'bansho-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 900, height: 1200 },
    });
    try {
      const page = await context.newPage();
      await page.goto(`file://${file}`);
      const chart = page.locator('svg.trend-chart');
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, 'the trend chart has a size');
      const points = await page.$$eval('svg.trend-chart circle.point', (cs) =>
        cs.map((c) => ({ count: Number(c.getAttribute('data-count')), r: c.getBoundingClientRect().width })),
      );
      assert.equal(points.length, 28, 'two threats × 14 days');
      assert.equal(points.filter((p) => p.count > 0).length, 15);
      assert.ok(points.every((p) => p.r > 0));
      const bars = await page.$$eval('svg.bar-chart rect.bar', (rs) => rs.map((r) => r.getBoundingClientRect().width));
      assert.ok(bars.length > 0 && bars.every((w) => w > 0));
      mkdirSync('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report.png', fullPage: true });
      assert.ok(existsSync('test-output/report.png'));
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
