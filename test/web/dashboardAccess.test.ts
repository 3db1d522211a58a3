import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BAN_POLICY } from '../../src/defense/banPolicy.js';
import { DashboardError } from '../../src/web/dashboardError.js';
import { type RunningDashboard, startDashboard } from '../../src/web/startDashboard.js';
import { tempDir } from '../gateway/helpers.js';

const TOKEN = 'a-long-random-token-for-tests-0123456789';

function options(dir: string, host: string, tokenFile: string | null) {
  return {
    db: `${dir}/bansho.db`,
    config: { listen: { host, port: 0 }, tokenFile, metricsListen: null, behindTls: false },
    allowlist: ['192.0.2.0/24'],
    banPolicy: DEFAULT_BAN_POLICY,
    gateway: null,
    log: () => {},
  };
}

describe('the dashboard off loopback', () => {
  const tmp = tempDir('bansho-web-auth-');
  after(() => tmp.cleanup());

  it('refuses to start without a token file', async () => {
    await assert.rejects(
      startDashboard(options(tmp.dir, '0.0.0.0', null)),
      (err: unknown) => err instanceof DashboardError && err.code === 'E_DASHBOARD_NO_TOKEN',
    );
  });

  it('refuses a token file it cannot read, or a short token', async () => {
    await assert.rejects(startDashboard(options(tmp.dir, '0.0.0.0', `${tmp.dir}/missing`)), {
      code: 'E_DASHBOARD_TOKEN_FILE',
    });
    writeFileSync(`${tmp.dir}/short`, 'abc\n');
    await assert.rejects(startDashboard(options(tmp.dir, '0.0.0.0', `${tmp.dir}/short`)), {
      code: 'E_DASHBOARD_TOKEN_FILE',
    });
  });
});

describe('the dashboard with a token', () => {
  const tmp = tempDir('bansho-web-auth-');
  let dashboard: RunningDashboard;
  let base = '';
  before(async () => {
    writeFileSync(`${tmp.dir}/token`, `${TOKEN}\n`, { mode: 0o600 });
    // Bound to every interface, reached here over loopback: the token rules apply by the bind address.
    dashboard = await startDashboard(options(tmp.dir, '0.0.0.0', `${tmp.dir}/token`));
    base = (dashboard.url ?? '').replace('0.0.0.0', '127.0.0.1');
  });
  after(async () => {
    await dashboard.stop();
    tmp.cleanup();
  });

  it('sends pages to the login form and refuses the API, /metrics and changes without a session', async () => {
    const page = await fetch(`${base}/`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login');
    for (const path of ['/api/events', '/api/bans', '/metrics', '/api/live'])
      assert.equal((await fetch(`${base}${path}`)).status, 401, path);
    const change = await fetch(`${base}/api/bans`, { method: 'POST', body: '{"ip":"198.51.100.1"}' });
    assert.equal(change.status, 401);
  });

  it('logs in with the token into an HttpOnly, SameSite=Strict session; a wrong token gets nothing', async () => {
    const wrong = await fetch(`${base}/login`, { method: 'POST', body: 'token=nope', redirect: 'manual' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const cookie = await login(base);
    assert.match(cookie.raw, /HttpOnly/);
    assert.match(cookie.raw, /SameSite=Strict/);
    assert.doesNotMatch(cookie.raw, /Secure/, 'plain HTTP without behind_tls');
    const events = await fetch(`${base}/api/events`, { headers: { cookie: cookie.pair } });
    assert.equal(events.status, 200);
  });

  it('refuses a change with the session cookie but without its CSRF token, and takes it with one', async () => {
    const cookie = await login(base);
    const page = await (await fetch(`${base}/bans`, { headers: { cookie: cookie.pair } })).text();
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? '';
    const body = JSON.stringify({ ip: '198.51.100.1', duration: '1h' });
    const headers = { cookie: cookie.pair, 'content-type': 'application/json' };
    const without = await fetch(`${base}/api/bans`, { method: 'POST', headers, body });
    assert.equal(without.status, 403);
    assert.equal(((await without.json()) as { error: string }).error, 'E_DASHBOARD_CSRF');
    const forged = await fetch(`${base}/api/bans`, {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': 'guess' },
      body,
    });
    assert.equal(forged.status, 403);
    const crossSite = await fetch(`${base}/api/bans`, {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': csrf, origin: 'https://evil.example' },
      body,
    });
    assert.equal(crossSite.status, 403, 'another origin is refused even with the token');
    const ok = await fetch(`${base}/api/bans`, { method: 'POST', headers: { ...headers, 'x-csrf-token': csrf }, body });
    assert.equal(ok.status, 200);
    const allowlisted = await fetch(`${base}/api/bans`, {
      method: 'POST',
      headers: { ...headers, 'x-csrf-token': csrf },
      body: JSON.stringify({ ip: '192.0.2.9' }),
    });
    assert.equal(allowlisted.status, 409, 'the allowlist is honoured');
  });

  it('makes an address that sent five wrong tokens wait, even with the right one; others still log in', async () => {
    const from = '127.0.0.5';
    for (let i = 0; i < 5; i++) assert.equal(await loginFrom(base, from, `wrong-${i}`), 401);
    assert.equal(await loginFrom(base, from, TOKEN), 401, 'paused');
    assert.equal(await loginFrom(base, '127.0.0.6', TOKEN), 303, 'another address is not locked out');
  });

  it('takes the token as a bearer for scrapers and scripts', async () => {
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(metrics.status, 200);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  });
});

describe('the dashboard on loopback', () => {
  const tmp = tempDir('bansho-web-auth-');
  let dashboard: RunningDashboard;
  before(async () => {
    dashboard = await startDashboard(options(tmp.dir, '127.0.0.1', null));
  });
  after(async () => {
    await dashboard.stop();
    tmp.cleanup();
  });

  it('needs no login, sends the security headers, and refuses other Host names (DNS rebinding)', async () => {
    const res = await fetch(`${dashboard.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(dashboard.url ?? '');
      request(
        { host: url.hostname, port: url.port, path: '/api/stats', headers: { host: 'attacker.example' } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.equal(status, 421);
  });
});

async function login(base: string): Promise<{ raw: string; pair: string }> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(TOKEN)}`,
    redirect: 'manual',
  });
  assert.equal(res.status, 303);
  const raw = res.headers.get('set-cookie') ?? '';
  return { raw, pair: raw.split(';')[0] ?? '' };
}

/** POST /login from a chosen loopback address; the status. */
function loginFrom(base: string, localAddress: string, token: string): Promise<number> {
  const url = new URL(base);
  const body = `token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    request(
      {
        host: url.hostname,
        port: url.port,
        path: '/login',
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end(body);
  });
}
