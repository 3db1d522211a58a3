import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { bansho, listeningPort, startBansho } from '../cli/run.js';
import { upstreamForSuite, waitFor } from '../gateway/helpers.js';

const dashboardUrl = (stderr: string): string | undefined =>
  / dashboard (?:for \S+ )?on (http:\/\/\S+)/.exec(stderr)?.[1];

describe('bansho serve --dashboard and bansho dashboard', () => {
  const site = upstreamForSuite('bansho-web-cli-');

  it('serve starts the dashboard beside the gateway, on its own listener', async () => {
    const run = startBansho(site.serveArgs('a.db', '--dashboard', '127.0.0.1:0'));
    try {
      const url = await waitFor('the dashboard to listen', () => dashboardUrl(run.output.stderr), 15_000);
      const gatewayPort = await waitFor('the gateway', () => listeningPort(run.output.stderr));
      assert.notEqual(new URL(url).port, String(gatewayPort));
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script src="\/assets\/app\.js" defer><\/script>/);
      assert.equal((await fetch(`${url}/metrics`)).status, 200);
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
    }
  });

  it('serve refuses to start with the dashboard off loopback and no token, before the gateway listens', async () => {
    const r = await bansho(site.serveArgs('b.db', '--dashboard', '0.0.0.0:0'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /dashboard\.token_file/);
    assert.equal(listeningPort(r.stderr), undefined, 'the gateway never started');
  });

  it('serve guards without its dashboard when the dashboard port is taken, and says so', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const run = startBansho(site.serveArgs('c.db', '--dashboard', `127.0.0.1:${port}`));
    try {
      await waitFor('the gateway to listen', () => listeningPort(run.output.stderr), 15_000);
      assert.match(
        run.output.stderr,
        /dashboard cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE; the gateway runs without its dashboard/,
      );
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      squatter.close();
    }
  });

  it('serve --no-dashboard --metrics serves only /metrics', async () => {
    const run = startBansho(site.serveArgs('d.db', '--no-dashboard', '--metrics', '127.0.0.1:0'));
    try {
      const url = await waitFor(
        'the metrics listener',
        () => / metrics on (http:\/\/\S+)/.exec(run.output.stderr)?.[1],
        15_000,
      );
      assert.doesNotMatch(run.output.stderr, / dashboard on /);
      const text = await (await fetch(url)).text();
      assert.match(text, /^# HELP bansho_requests_total /m);
      assert.equal((await fetch(url.replace('/metrics', '/'))).status, 404);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('dashboard serves a database on its own, without gateway counters', async () => {
    const run = startBansho(['dashboard', '--db', `${site.dir}/a.db`, '--listen', '127.0.0.1:0']);
    try {
      const url = await waitFor('the dashboard to listen', () => dashboardUrl(run.output.stderr), 15_000);
      const stats = (await (await fetch(`${url}/api/stats`)).json()) as { gateway: unknown; eventsStored: number };
      assert.equal(stats.gateway, null);
      assert.equal(typeof stats.eventsStored, 'number');
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
    }
  });
});
