import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bansho } from '../cli/run.js';
import { rawRequest } from '../gateway/helpers.js';
import { dashboardForSuite, scriptedAttack, sendXssPayloads, XSS_PAYLOADS } from './dashboardHelpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (Debian package chromium)`;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** What the callbacks below use of the browser's globals (they run in the page; node's types lack them). */
interface PageWindow {
  __pwned: (what: string) => void;
  __pwnedCalls: string[];
  __cspViolations: string[];
  readonly innerWidth: number;
}
interface PageElement {
  readonly textContent: string | null;
}
interface PageDocument {
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (e: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
  readonly scripts: ArrayLike<{ readonly src: string }>;
  readonly documentElement: { readonly scrollWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getElementById(id: string): PageElement | null;
}
declare const window: PageWindow;
declare const document: PageDocument;

/** Screenshots are test output: kept in a temp folder named in the test log, never committed. */
const SHOTS = mkdtempSync(join(tmpdir(), 'bansho-dashboard-screens-'));

/**
 * The hook an injected script would call: defined by the test in every page before the page's
 * own script runs. Each payload calls `window.__pwned(...)`; no call may ever be recorded.
 */
async function installHook(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window;
    w.__pwnedCalls = [];
    w.__cspViolations = [];
    w.__pwned = (what) => w.__pwnedCalls.push(what);
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

async function assertNothingRan(page: Page, where: string): Promise<void> {
  const state = await page.evaluate(() => {
    const w = window;
    return {
      calls: w.__pwnedCalls,
      violations: w.__cspViolations,
      scripts: Array.from(document.scripts, (s) => s.src),
      injected: document.querySelectorAll(
        'main img, main svg script, main iframe:not(#bulletin-frame), main [onerror], main [onload]',
      ).length,
    };
  });
  assert.deepEqual(state.calls, [], `${where}: the page's hook was called by an attacker's script`);
  assert.deepEqual(state.violations, [], `${where}: something tried to run against the CSP`);
  assert.equal(state.scripts.length, 1, `${where}: only the page's own script`);
  assert.equal(state.injected, 0, `${where}: no element from an attacker's markup`);
}

/**
 * How a payload may appear once stored: as sent, with its spaces as %20 (a request line cannot
 * hold a space), or with control bytes shown as \xNN (the page never passes a terminal escape on).
 * Each form still carries the markup characters, so finding it as text means it was not parsed.
 */
function shownForms(p: string): string[] {
  const visible = (t: string) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal escapes are what the page must show as \xNN
    t.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return [p, p.replace(/ /g, '%20'), visible(p), visible(p.replace(/ /g, '%20'))];
}

/** Apache `combined` lines carrying each payload in the path, the Referer and the User-Agent, one source each. */
function hostileLog(): { text: string; sources: string[] } {
  const sources: string[] = [];
  const lines = XSS_PAYLOADS.map((p, i) => {
    const ip = `198.51.100.${i + 1}`;
    sources.push(ip);
    const quoted = p.replace(/"/g, '\\"');
    return `${ip} - - [06/Dec/2026:10:00:0${i} +0000] "GET /search?q=${quoted.replace(/ /g, '%20')} HTTP/1.1" 404 12 "${quoted}" "${quoted}"`;
  });
  return { text: `${lines.join('\n')}\n`, sources };
}

async function open(page: Page, url: string, shot: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 5000 });
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
}

describe('the dashboard in Chromium, after a scripted attack and stored-XSS attempts', { skip: SKIP }, () => {
  const s = dashboardForSuite();
  let browser: Browser;
  let page: Page;
  let hostile: string[] = [];

  before(async () => {
    await scriptedAttack(s.gatewayPort);
    hostile = await sendXssPayloads(s.gatewayPort);
    await s.run.service.gateway.events.flush();
    // The same payloads through the log analyzer, into the same database.
    const log = hostileLog();
    writeFileSync(`${s.dir}/access.log`, log.text);
    const analyzed = await bansho(['analyze', '--db', s.db, '--no-progress', '--no-origins', `${s.dir}/access.log`]);
    assert.equal(analyzed.code, 0, analyzed.stderr);
    hostile.push(...log.sources);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await installHook(page);
    page.on('dialog', (d) => {
      throw new Error(`a dialog opened: ${d.message()}`);
    });
  });
  after(async () => {
    await browser?.close();
  });

  it('Now: shows the stored events as text and a new one live within a second', async (t) => {
    t.diagnostic(`screenshots in ${SHOTS}`);
    await open(page, `${s.dashboardUrl}/`, 'now');
    const feed = (await page.locator('#feed').textContent()) ?? '';
    assert.ok(feed.includes('<script>window.__pwned("script")</script>'), 'the payload shown as text');
    await page.waitForFunction(() => document.getElementById('live-status')?.textContent === 'live', null, {
      timeout: 3000,
    });
    const sent = Date.now();
    await rawRequest(s.gatewayPort, '127.0.0.77', 'CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n', 2000);
    await page.waitForSelector('#feed tbody tr a[href="/sources/127.0.0.77"]', { timeout: 1000 });
    t.diagnostic(`live event shown ${Date.now() - sent} ms after the request was sent`);
    await page.waitForFunction(() => document.querySelector('#rate-chart svg') !== null, null, { timeout: 3000 });
    await page.screenshot({ path: join(SHOTS, 'now-live.png'), fullPage: true });
    await assertNothingRan(page, 'Now');
  });

  it('Threats: charts per hour, day and week, with trend, recurrence and each threat’s catalog page', async () => {
    await open(page, `${s.dashboardUrl}/threats`, 'threats-day');
    for (const unit of ['hour', 'week']) {
      await page.click(`#units button[data-unit="${unit}"]`);
      await page.waitForSelector(`#units button[data-unit="${unit}"][aria-pressed="true"]`);
      await page.screenshot({ path: join(SHOTS, `threats-${unit}.png`), fullPage: true });
    }
    const table = (await page.locator('#threats').textContent()) ?? '';
    assert.match(table, /PrettyPark/);
    assert.match(table, /in the last/);
    await open(page, `${s.dashboardUrl}/threats/prettypark`, 'threat-prettypark');
    const info = (await page.locator('#threat-info').textContent()) ?? '';
    assert.match(info, /Advice/);
    assert.match(info, /References/);
    await assertNothingRan(page, 'Threats');
  });

  it('Sources: top sources and a hostile source’s whole history, as text', async () => {
    await open(page, `${s.dashboardUrl}/sources`, 'sources');
    assert.match((await page.locator('#sources').textContent()) ?? '', /127\.0\.0\.3/);
    await assertNothingRan(page, 'Sources');
    const seen = new Set<string>();
    for (const ip of hostile) {
      await open(page, `${s.dashboardUrl}/sources/${ip}`, `source-${ip}`);
      const text = (await page.locator('#source-events').textContent()) ?? '';
      for (const p of XSS_PAYLOADS) if (shownForms(p).some((form) => text.includes(form))) seen.add(p);
      const logged = ip.startsWith('198.51.100.') ? XSS_PAYLOADS[Number(ip.split('.')[3]) - 1] : undefined;
      if (logged !== undefined) {
        // A log line keeps the payload's quotes escaped, as Apache wrote them.
        const forms = [...shownForms(logged), ...shownForms(logged.replace(/"/g, '\\"'))];
        assert.ok(
          forms.some((f) => text.includes(f)),
          `${ip}: the analyzed log line shown as text`,
        );
      }
      await assertNothingRan(page, `source ${ip}`);
    }
    for (const p of XSS_PAYLOADS)
      assert.ok(seen.has(p), `payload ${JSON.stringify(p)} shown as text on its source's page`);
    await open(page, `${s.dashboardUrl}/sources/127.0.0.2`, 'source-prettypark');
    assert.match(
      (await page.locator('#source-events').textContent()) ?? '',
      /CONNECT maila\.microsoft\.com:25 \/ HTTP\/1\.0/,
    );
  });

  it('Bans: lists bans, adds one with the form, extends and removes it', async () => {
    await open(page, `${s.dashboardUrl}/bans`, 'bans');
    assert.match((await page.locator('#bans').textContent()) ?? '', /127\.0\.0\.2\/32/);
    await page.fill('#ban-form input[name="ip"]', '203.0.113.50');
    await page.fill('#ban-form input[name="duration"]', '2h');
    await page.click('#ban-form button[type="submit"]');
    await page.waitForSelector('#bans tr[data-target="203.0.113.50/32"]');
    assert.match((await page.locator('#ban-status').textContent()) ?? '', /banned 203\.0\.113\.50\/32 for 2h/);
    await page.click('#bans tr[data-target="203.0.113.50/32"] button.extend');
    await page.waitForFunction(() => /until/.test(document.getElementById('ban-status')?.textContent ?? ''));
    await page.screenshot({ path: join(SHOTS, 'bans-added.png'), fullPage: true });
    await page.click('#bans tr[data-target="203.0.113.50/32"] button.remove');
    await page.waitForSelector('#bans tr[data-target="203.0.113.50/32"]', { state: 'detached' });
    await assertNothingRan(page, 'Bans');
  });

  it('Bulletin: the report for a chosen period, in a sandboxed frame', async () => {
    await open(page, `${s.dashboardUrl}/bulletin?since=24h`, 'bulletin');
    const frame = page.frameLocator('#bulletin-frame');
    await frame.locator('h1').waitFor({ timeout: 5000 });
    assert.match((await frame.locator('h1').textContent()) ?? '', /Recent attack trends/);
    await page.screenshot({ path: join(SHOTS, 'bulletin.png'), fullPage: true });
    await assertNothingRan(page, 'Bulletin');
  });

  it('works at phone width', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await installHook(phone);
    for (const [path, name] of [
      ['/', 'phone-now'],
      ['/threats', 'phone-threats'],
      ['/sources', 'phone-sources'],
      ['/bans', 'phone-bans'],
    ] as const) {
      await open(phone, `${s.dashboardUrl}${path}`, name);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path}: the page is ${overflow}px wider than the phone`);
      await assertNothingRan(phone, name);
    }
    await phone.close();
  });
});
