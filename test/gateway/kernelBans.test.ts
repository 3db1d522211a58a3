/**
 * The nftables ban backend against the real kernel (needs nft and CAP_NET_ADMIN; skipped with
 * the reason where either is missing). Each run owns a table of its own name and a port of its
 * own, and `after` deletes the table whatever happened, so a failing test leaves no rule behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FirewallError, NftFirewall } from '../../src/defense/nftFirewall.js';
import { SqliteBanStore } from '../../src/store/sqlite/sqliteStore.js';
import type { Ban } from '../../src/store/types.js';
import { startBansho } from '../cli/run.js';
import { RecordingUpstream, startTestGateway, storedEvents, tempDir, testConfig, waitFor } from './helpers.js';

const TABLE = `bansho_t${process.pid}_${randomBytes(3).toString('hex')}`;
const NFT = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].find((p) => {
  try {
    execFileSync(p, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Why the kernel tests cannot run here, or null when they can. */
function skipReason(): string | null {
  if (process.platform !== 'linux') return 'nftables is Linux only';
  if (NFT === undefined) return 'no nft command (apt-get install nftables)';
  try {
    execFileSync(NFT, ['-f', '-'], { input: `table inet ${TABLE}\ndelete table inet ${TABLE}\n`, stdio: 'pipe' });
  } catch (err) {
    return `nft may not change the ruleset here (needs CAP_NET_ADMIN): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
  return null;
}
const skip = skipReason();

/** The elements of one of the table's sets, as nft lists them (`127.0.0.201`, `2001:db8:1:2::/64`). */
function elements(set: 'banned_v4' | 'banned_v6' | 'banned_v4_nets', table = TABLE): string[] {
  const out = execFileSync(NFT as string, ['-j', 'list', 'set', 'inet', table, set], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
  const elem = parsed.nftables.find((x) => x.set)?.set?.elem ?? [];
  return elem.map((e) => {
    const val = (e as { elem?: { val?: unknown } }).elem?.val ?? e;
    if (typeof val === 'string') return val;
    const prefix = (val as { prefix?: { addr: string; len: number } }).prefix;
    return prefix ? `${prefix.addr}/${prefix.len}` : JSON.stringify(val);
  });
}

function tableExists(table = TABLE): boolean {
  try {
    execFileSync(NFT as string, ['list', 'table', 'inet', table], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * How a connection from `localAddress` ends: refused at the handshake (ECONNREFUSED: the
 * kernel's reset to the SYN), reset by the gateway after the kernel accepted it, or answered.
 */
function attempt(
  port: number,
  localAddress: string,
  host = '127.0.0.1',
): Promise<'refused' | 'reset after accept' | 'answered'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress });
    let refused = false;
    let answer = '';
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      refused = err.code === 'ECONNREFUSED';
    });
    socket.on('close', () =>
      resolve(refused ? 'refused' : answer.startsWith('HTTP/1.1 200') ? 'answered' : 'reset after accept'),
    );
  });
}

const attemptV6 = (port: number) => attempt(port, '::1', '::1');

const storeBan = (target: string, ms: number): Ban => ({
  target,
  since: Date.now(),
  until: Date.now() + ms,
  reason: 'test',
  threatId: null,
  offence: 1,
  origin: 'manual',
});

describe('nftables ban backend', { skip: skip ?? false }, () => {
  const tmp = tempDir();
  const db = `${tmp.dir}/bansho.db`;
  const upstream = new RecordingUpstream();
  let service: Awaited<ReturnType<typeof startTestGateway>>;
  let store: SqliteBanStore;
  let url = '';

  before(async () => {
    // A stale table of the same name, as a killed run leaves it: replaced at start.
    execFileSync(NFT as string, ['-f', '-'], {
      input: `table inet ${TABLE} {\n set banned_v4 { type ipv4_addr; flags interval, timeout; elements = { 127.0.0.209 } }\n}\n`,
    });
    url = await upstream.listen();
    service = await startTestGateway(testConfig(url, db, {}, { bans: { firewall: 'nftables', nft_table: TABLE } }));
    store = new SqliteBanStore(db);
  });

  after(async () => {
    await service?.stop();
    await store?.close();
    await upstream.close();
    tmp.cleanup();
    // Whatever failed above: no rule of this run outlives it.
    if (tableExists()) execFileSync(NFT as string, ['delete', 'table', 'inet', TABLE]);
  });

  test('start replaces a stale table of the same name, and its rule names the gateway port', () => {
    assert.deepEqual(elements('banned_v4'), []);
    const table = execFileSync(NFT as string, ['list', 'table', 'inet', TABLE], { encoding: 'utf8' });
    assert.match(table, new RegExp(`tcp dport ${service.port} ip saddr @banned_v4 reject with tcp reset`));
    assert.match(table, new RegExp(`tcp dport ${service.port} ip6 saddr & ffff:ffff:ffff:ffff:: == @banned_v6 reject`));
  });

  test('a banned source is reset by the kernel: no handshake, nothing reaches the process', async () => {
    const ip = '127.0.0.201';
    assert.equal(await attempt(service.port, ip), 'answered');
    const ban = service.gateway.bans.ban(ip, { reason: 'test', threatId: null, origin: 'manual' });
    assert.ok(ban);
    // From the moment of the ban the gateway refuses it itself, before the kernel has it.
    await waitFor('the ban in the kernel', () => (elements('banned_v4').includes(ip) ? true : undefined));
    for (let i = 0; i < 3; i++) assert.equal(await attempt(service.port, ip), 'refused');
    // The gateway counted no drop: the connections never reached accept().
    service.gateway.bans.reportDrops();
    const dropped = (await storedEvents(service, db, ip)).filter((e) => e.event.action === 'dropped');
    assert.equal(dropped.length, 0);
    // Another source on the same port is untouched.
    assert.equal(await attempt(service.port, '127.0.0.202'), 'answered');
  });

  test('a ban from the store (bans add, analyze --follow --ban) goes in with its remaining time, and the kernel lets it expire', async () => {
    const ip = '127.0.0.203';
    store.putSync(storeBan(`${ip}/32`, 2_000));
    service.gateway.bans.sync();
    await waitFor('the ban in the kernel', () => (elements('banned_v4').includes(ip) ? true : undefined));
    assert.equal(await attempt(service.port, ip), 'refused');
    await waitFor('the element to expire', () => (elements('banned_v4').includes(ip) ? undefined : true), 10_000);
    await waitFor('the source let in again', async () =>
      (await attempt(service.port, ip)) === 'answered' ? true : undefined,
    );
  });

  test('an unban takes the source out of the set', async () => {
    const ip = '127.0.0.204';
    store.putSync(storeBan(`${ip}/32`, 3_600_000));
    service.gateway.bans.sync();
    await waitFor('the ban in the kernel', () => (elements('banned_v4').includes(ip) ? true : undefined));
    assert.equal(store.removeSync(`${ip}/32`), true);
    service.gateway.bans.sync();
    await waitFor('the element gone', () => (elements('banned_v4').includes(ip) ? undefined : true));
    assert.equal(await attempt(service.port, ip), 'answered');
  });

  test('an IPv6 ban goes into the IPv6 set as its /64, a wide ban into the set of networks', async () => {
    store.putSync(storeBan('2001:db8:1:2::/64', 3_600_000));
    store.putSync(storeBan('10.20.0.0/16', 3_600_000));
    service.gateway.bans.sync();
    await waitFor('the /64 in the kernel', () => (elements('banned_v6').includes('2001:db8:1:2::') ? true : undefined));
    await waitFor('the /16 in the kernel', () =>
      elements('banned_v4_nets').includes('10.20.0.0/16') ? true : undefined,
    );
  });

  test('a target that is not an address never reaches nft, and the batch around it still does', async () => {
    const firewall = service.kernelBans?.firewall;
    assert.ok(firewall);
    const refusedBefore = firewall.stats.refused;
    const until = Date.now() + 60_000;
    for (const bad of [
      '127.0.0.205 } ; flush ruleset ; add element inet x y {',
      '127.0.0.205\ndelete table inet filter',
      'fe80::1%lo',
      '127.0.0.205/33',
      '$(reboot)',
    ])
      firewall.ban(bad, until);
    firewall.ban('127.0.0.206/32', until);
    await firewall.settled();
    assert.equal(firewall.stats.refused - refusedBefore, 5);
    assert.ok(elements('banned_v4').includes('127.0.0.206'));
    assert.ok(!elements('banned_v4').includes('127.0.0.205'));
  });

  test('an IPv6 source is reset by its /64; a clean stop deletes the table', async () => {
    const table = `${TABLE}b`;
    const other = await startTestGateway({
      ...testConfig(url, `${tmp.dir}/other.db`, {}, { bans: { firewall: 'nftables', nft_table: table } }),
      listen: { host: '::1', port: 0 },
    });
    try {
      assert.equal(await attemptV6(other.port), 'answered');
      assert.equal(
        other.gateway.bans.ban('::1', { reason: 'test', threatId: null, origin: 'manual' })?.target,
        '0:0:0:0::/64',
      );
      await waitFor('the /64 in the kernel', () => (elements('banned_v6', table).includes('::') ? true : undefined));
      assert.equal(await attemptV6(other.port), 'refused');
    } finally {
      await other.stop();
      if (tableExists(table)) {
        execFileSync(NFT as string, ['delete', 'table', 'inet', table]);
        assert.fail('the table outlived the gateway');
      }
    }
  });

  test('a missing nft is a clear error at start', async () => {
    await assert.rejects(
      NftFirewall.open({ table: `${TABLE}c`, ports: [1], nft: '/nonexistent/nft' }),
      (err: unknown) => err instanceof FirewallError && /could not run \/nonexistent\/nft/.test(err.message),
    );
  });

  test('an nft without an interactive mode still gets every change, one nft -f - a batch', async () => {
    const wrapper = `${tmp.dir}/nft-no-i`;
    writeFileSync(wrapper, `#!/bin/sh\n[ "$1" = -i ] && exit 1\nexec ${NFT} "$@"\n`, { mode: 0o755 });
    const errors: string[] = [];
    const table = `${TABLE}e`;
    const firewall = await NftFirewall.open({
      table,
      ports: [1],
      nft: wrapper,
      onError: (e) => errors.push(String(e)),
    });
    try {
      firewall.ban('192.0.2.30/32', Date.now() + 60_000);
      await firewall.settled();
      firewall.ban('192.0.2.31/32', Date.now() + 60_000);
      await firewall.settled();
      assert.deepEqual(elements('banned_v4', table).sort(), ['192.0.2.30', '192.0.2.31']);
      assert.equal(errors.filter((e) => /nft -i/.test(e)).length, 1, errors.join('\n'));
    } finally {
      await firewall.close();
    }
    assert.equal(tableExists(table), false);
  });

  /** A directory whose `nft` is the real one run without CAP_NET_ADMIN in its bounding set; null without setpriv. */
  const deniedNft = (): string | null => {
    if (!existsSync('/usr/bin/setpriv')) return null;
    const bin = `${tmp.dir}/bin`;
    if (!existsSync(bin)) {
      mkdirSync(bin);
      writeFileSync(`${bin}/nft`, `#!/bin/sh\nexec /usr/bin/setpriv --bounding-set -net_admin ${NFT} "$@"\n`, {
        mode: 0o755,
      });
    }
    return bin;
  };

  test('an nft without CAP_NET_ADMIN stops the start with a clear error', async (t) => {
    const bin = deniedNft();
    if (bin === null) return t.skip('no setpriv to drop CAP_NET_ADMIN with');
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const config = testConfig(
        url,
        `${tmp.dir}/denied.db`,
        {},
        { bans: { firewall: 'nftables', nft_table: `${TABLE}d` } },
      );
      await assert.rejects(
        startTestGateway(config),
        (err: unknown) => err instanceof FirewallError && /needs CAP_NET_ADMIN/.test(err.message),
      );
    } finally {
      process.env.PATH = path;
    }
    assert.equal(tableExists(`${TABLE}d`), false);
  });

  test('serve --workers 2 whose first worker cannot open the firewall exits with the error, not waits', async (t) => {
    const bin = deniedNft();
    if (bin === null) return t.skip('no setpriv to drop CAP_NET_ADMIN with');
    const run = startBansho(
      [
        'serve',
        '--workers',
        '2',
        '--upstream',
        url,
        '--listen',
        '127.0.0.1:0',
        '--db',
        `${tmp.dir}/pool.db`,
        '--no-dashboard',
        '--firewall',
        'nftables',
      ],
      { env: { PATH: `${bin}:${process.env.PATH}` } },
    );
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
    const code = await run.exited;
    clearTimeout(timer);
    assert.equal(code, 1, run.output.stderr);
    assert.match(run.output.stderr, /needs CAP_NET_ADMIN/);
    assert.match(run.output.stderr, /exited \(code 1\) before it listened/);
  });
});
