import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { Allowlist } from '../../src/defense/allowlist.js';
import { BanManager } from '../../src/defense/banManager.js';
import { DEFAULT_BAN_POLICY } from '../../src/defense/banPolicy.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { LogAnalyzer } from '../../src/logs/analyzer.js';
import { banFromFinding, banFromLog } from '../../src/logs/followBans.js';
import { resolveFormat } from '../../src/logs/formats.js';
import { followFiles } from '../../src/logs/run.js';
import { observationFromRecord } from '../../src/logs/toObservation.js';
import { openSqlite, SqliteBanStore, SqliteEventStore } from '../../src/store/index.js';
import { combinedLine, seedIncident } from './fixtures.js';

const engine = loadEngine();
const catalog = loadCatalog();

/** Wait until `cond()` holds, checking every 10 ms, failing after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('analyze --follow', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-follow-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('follows appends, a rename+create rotation and a copytruncate rotation', async () => {
    const log = join(dir, 'access.log');
    const t0 = Date.UTC(2003, 1, 3);
    writeFileSync(log, `${seedIncident('151.21.4.7', t0, 1).join('\n')}\n`);
    const store = new SqliteEventStore(openSqlite(join(dir, 'f.db')));
    const controller = new AbortController();
    const run = followFiles([log], { engine, behaviours: builtInBehaviours() }, (e) => store.appendEncodedSync(e), {
      signal: controller.signal,
      pollMs: 20,
    });
    const stored = () => store.querySync({}).length;
    try {
      await waitFor(() => stored() === 2, 'the lines already in the file');

      // A partial line is held until its newline arrives.
      const connect = combinedLine('151.21.4.7', t0 + 60_000, 'CONNECT maila.microsoft.com:25 / HTTP/1.0', 400, 226);
      appendFileSync(log, connect.slice(0, 30));
      appendFileSync(log, `${connect.slice(30)}\n`);
      await waitFor(() => stored() === 3, 'an appended line');

      // logrotate default: rename, create anew; a last line still lands in the old file.
      renameSync(log, `${log}.1`);
      appendFileSync(
        `${log}.1`,
        `${combinedLine('151.21.88.19', t0 + 120_000, 'CONNECT mx.example.com:25 HTTP/1.1', 400, 0)}\n`,
      );
      await waitFor(() => stored() === 4, 'the line written to the renamed file');
      writeFileSync(
        log,
        `${combinedLine('151.21.88.20', t0 + 180_000, 'CONNECT mx.example.com:25 HTTP/1.1', 400, 0)}\n`,
      );
      await waitFor(() => stored() === 5, 'the first line of the new file');

      // copytruncate: the content is copied away and the file cut to zero, then written again.
      copyFileSync(log, `${log}.2`);
      truncateSync(log, 0);
      writeFileSync(
        log,
        `${combinedLine('151.21.88.21', t0 + 240_000, 'CONNECT mx.example.com:25 HTTP/1.1', 400, 0)}\n`,
      );
      await waitFor(() => stored() === 6, 'the first line after copytruncate');
      const ips = store.querySync({}).map((e) => e.source.ip);
      assert.deepEqual(ips, ['151.21.4.7', '151.21.4.7', '151.21.4.7', '151.21.88.19', '151.21.88.20', '151.21.88.21']);
    } finally {
      controller.abort();
      await run.done;
    }
    assert.equal(run.analyzer.stats.garbage, 0);
  });

  /** The gateway's ban manager over `store`, on a fixed clock, never banning `allow`. */
  const managerFor = (store: SqliteBanStore, now: number, allow: string[] = []) =>
    new BanManager({
      store,
      policy: DEFAULT_BAN_POLICY,
      allowlist: new Allowlist(allow),
      emit: () => {},
      clock: () => now,
    });

  it('bans a fresh offender through the ban list a gateway polls, once per burst', () => {
    const db = openSqlite(join(dir, 'ban.db'));
    const bans = new SqliteBanStore(db);
    const now = Date.UTC(2026, 0, 1, 12);
    const manager = managerFor(bans, now);
    const version0 = bans.versionSync();
    const lines = seedIncident('151.21.4.7', now - 30_000, 2);
    let banned = 0;
    for (const line of lines) {
      const obs = observationOf(line);
      const matches = engine.match(obs);
      const event = banFromLog(obs, matches, { bans: manager, now: () => now }, (id) => catalog.get(id)?.name);
      if (event) {
        banned++;
        assert.equal(event.event.action, 'banned');
        assert.equal(event.bansho.ban?.target, '151.21.4.7/32');
        assert.equal(event.threat?.software?.id, 'prettypark');
      }
    }
    assert.equal(banned, 1);
    assert.ok(bans.versionSync() > version0, 'the change log moved, so a running gateway picks it up');
    assert.equal(bans.activeSync(now)[0]?.target, '151.21.4.7/32');

    // An old line (history) bans nobody.
    const old = observationOf(seedIncident('151.29.130.2', now - 86_400_000, 1)[1] as string);
    assert.equal(banFromLog(old, engine.match(old), { bans: manager, now: () => now }), null);
    manager.close();
  });

  it('never bans an allowlisted source or a trusted proxy', () => {
    const bans = new SqliteBanStore(openSqlite(join(dir, 'allow-ban.db')));
    const now = Date.UTC(2026, 0, 1, 12);
    const manager = managerFor(bans, now, ['151.21.4.0/24', '2001:db8:77:1::5']);
    for (const ip of ['151.21.4.7', '2001:db8:77:1::9', '151.21.5.7']) {
      for (const line of seedIncident(ip, now - 30_000, 2)) {
        const obs = observationOf(line);
        banFromLog(obs, engine.match(obs), { bans: manager, now: () => now });
      }
    }
    assert.deepEqual(
      bans.activeSync(now).map((b) => b.target),
      ['151.21.5.7/32'],
      'the /64 holding an allowlisted address is not banned either',
    );
    manager.close();
  });

  it('bans a password guesser once its run of posts is a finding, and not for an old run', () => {
    const bans = new SqliteBanStore(openSqlite(join(dir, 'finding-ban.db')));
    const now = Date.UTC(2026, 0, 1, 12);
    const manager = managerFor(bans, now);
    const threatName = (id: string) => catalog.get(id)?.name;
    const banned: SecurityEvent[] = [];
    const analyzer = new LogAnalyzer({
      behaviours: builtInBehaviours(),
      engine,
      threatName,
      onEvent: (_event, detail) => {
        if (detail?.kind !== 'finding') return;
        const event = banFromFinding(detail.finding, { bans: manager, now: () => now }, threatName);
        if (event) banned.push(event);
      },
    });
    const post = (ip: string, t: number) => combinedLine(ip, t, 'POST /wp-login.php HTTP/1.1', 200, 4100);
    const lines = [
      ...Array.from({ length: 8 }, (_, i) => post('192.0.2.200', now - 86_400_000 + i * 500)),
      ...Array.from({ length: 12 }, (_, i) => post('198.51.100.23', now - 20_000 + i * 500)),
    ];
    analyzer.startFile('access.log');
    analyzer.lines('access.log', lines);
    analyzer.endFile('access.log');
    assert.equal(analyzer.stats.findings, 2, 'both runs are findings');
    assert.equal(banned.length, 1, 'only the fresh one bans');
    assert.equal(banned[0]?.event.action, 'banned');
    assert.equal(banned[0]?.bansho.ban?.target, '198.51.100.23/32');
    assert.equal(banned[0]?.threat?.software?.id, 'wordpress-login-bruteforce');
    const active = bans.activeSync(now);
    assert.deepEqual(
      active.map((b) => b.target),
      ['198.51.100.23/32'],
    );
    assert.match(active[0]?.reason ?? '', /wp-login\.php/);
    manager.close();
  });
});

function observationOf(line: string) {
  const rec = resolveFormat('combined').parse(line);
  assert.ok(rec);
  return observationFromRecord(rec, 0);
}

describe('bansho analyze --follow --ban (the command)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bansho-follow-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bans a source that shows up in a growing log, through the ban list, and stops on SIGTERM', async () => {
    const log = join(dir, 'access.log');
    const dbFile = join(dir, 'bansho.db');
    writeFileSync(
      log,
      `${combinedLine('198.51.100.20', Date.now() - 60_000, 'GET /index.html HTTP/1.1', 200, 100, 'Mozilla/5.0')}\n`,
    );
    const bans = new SqliteBanStore(openSqlite(dbFile));
    const config = join(dir, 'site.yaml');
    writeFileSync(config, 'allowlist: [198.51.100.0/24]\ntrusted_proxies: [203.0.113.5]\n');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'analyze',
        log,
        '--follow',
        '--ban',
        '--db',
        dbFile,
        '--poll-ms',
        '20',
        '--no-origins',
        '--config',
        config,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = once(child, 'exit');
    try {
      await waitFor(() => stderr.includes('following'), 'the follower to start', 20_000);
      const version = bans.versionSync();
      // The allowlisted source and the trusted proxy come first: were they banned, it would show by then.
      for (const ip of ['198.51.100.99', '203.0.113.5', '151.21.4.7'])
        appendFileSync(log, `${seedIncident(ip, Date.now() - 2000, 2).join('\n')}\n`);
      await waitFor(() => bans.activeSync(Date.now()).some((b) => b.target === '151.21.4.7/32'), 'the ban', 20_000);
      assert.ok(bans.versionSync() > version);
      assert.equal(bans.activeSync(Date.now()).find((b) => b.target === '151.21.4.7/32')?.threatId, 'prettypark');
      assert.deepEqual(
        bans.activeSync(Date.now()).map((b) => b.target),
        ['151.21.4.7/32'],
        'neither the allowlisted source nor the trusted proxy',
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    assert.match(stdout, /threat lines: 9; events: 10 new, 0 already stored/, 'nine detections and one ban event');
    const store = new SqliteEventStore(openSqlite(dbFile));
    assert.deepEqual(
      store.querySync({ actions: ['banned'] }).map((e) => e.bansho.ban?.target),
      ['151.21.4.7/32'],
    );
  });
});
