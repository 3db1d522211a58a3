import assert from 'node:assert/strict';
import { type ChildProcessByStdio, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SqliteEventStore } from '../../src/store/index.js';
import { ROOT } from '../cli/run.js';
import { tempDir, waitFor } from '../gateway/helpers.js';

/**
 * "Never a relay", proven on the wire: the gateway runs with play-along on inside a network
 * namespace whose only way out is a sinkhole interface (the default route, and the DNS server
 * its resolv.conf names, lie behind it). nftables counts every packet leaving by it, every DNS
 * query, and every new loopback connection to anything but the gateway itself (a relay to
 * 127.0.0.1:25 would be one). After every scenario — and a fuzzed abuser, and nmap — all stay 0.
 */

const exec = promisify(execFile);
const NS = `bansho-hp-${process.pid}`;
const GATEWAY_PORT = 8080;
const UPSTREAM_PORT = 18081;
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  if (!has('ip')) return 'the ip tool (iproute2) is not installed';
  if (!has('nft')) return 'nft (nftables) is not installed: the sinkhole counts with it';
  const probe = spawnSync('ip', ['netns', 'add', `${NS}-probe`], { encoding: 'utf8' });
  if (probe.status !== 0) return `ip netns add is refused here: ${probe.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', `${NS}-probe`]);
  return false;
}

const SKIP = whyNot();

/**
 * What the sinkhole counts. `outbound` leaves out only the kernel's own IPv6 housekeeping on the
 * sink (router and neighbour solicitations, MLD reports), which no program sends: a connection
 * attempt's SYN is counted before any neighbour is looked up. `upstream` (the configured site,
 * the one host the gateway may connect to) is counted apart from every other loopback connection.
 */
const RULESET = `
table inet sinkhole {
  counter outbound {}
  counter dns {}
  counter loopback_other {}
  counter loopback_udp {}
  counter upstream {}
  chain out {
    type filter hook output priority 0; policy accept;
    udp dport 53 counter name dns
    tcp dport 53 counter name dns
    oifname != "lo" icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report, mld2-listener-report } accept
    oifname != "lo" counter name outbound
    oifname "lo" tcp flags & (syn | ack) == syn tcp dport ${UPSTREAM_PORT} counter name upstream
    oifname "lo" tcp flags & (syn | ack) == syn tcp dport != { ${GATEWAY_PORT}, ${UPSTREAM_PORT} } counter name loopback_other
    oifname "lo" meta l4proto udp counter name loopback_udp
  }
}
`;

async function inNs(args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const { stdout } = await exec('ip', ['netns', 'exec', NS, ...args], { timeout: timeoutMs, cwd: ROOT });
  return stdout;
}

type Counts = Record<'outbound' | 'dns' | 'loopback_other' | 'loopback_udp' | 'upstream', number>;

async function counters(): Promise<Counts> {
  const json = JSON.parse(await inNs(['nft', '-j', 'list', 'counters'])) as {
    nftables: Array<{ counter?: { name: string; packets: number } }>;
  };
  const out: Counts = { outbound: 0, dns: 0, loopback_other: 0, loopback_udp: 0, upstream: 0 };
  for (const item of json.nftables) if (item.counter) out[item.counter.name as keyof Counts] = item.counter.packets;
  return out;
}

const ZERO: Counts = { outbound: 0, dns: 0, loopback_other: 0, loopback_udp: 0, upstream: 0 };

describe('never a relay, counted in a network namespace', { skip: SKIP }, () => {
  const tmp = tempDir();
  let gateway: { child: ChildProcessByStdio<null, null, Readable>; stderr: string } | null = null;

  before(async () => {
    await exec('ip', ['netns', 'add', NS]);
    await exec('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    // A dummy interface where the kernel has one; a veth pair (its peer in the namespace too) where not.
    const dummy = spawnSync('ip', ['-n', NS, 'link', 'add', 'sink0', 'type', 'dummy']);
    if (dummy.status !== 0) {
      await exec('ip', ['-n', NS, 'link', 'add', 'sink0', 'type', 'veth', 'peer', 'name', 'sink1']);
      await exec('ip', ['-n', NS, 'link', 'set', 'sink1', 'up']);
    }
    await exec('ip', ['-n', NS, 'addr', 'add', '10.253.0.1/24', 'dev', 'sink0']);
    await exec('ip', ['-n', NS, 'link', 'set', 'sink0', 'up']);
    await exec('ip', ['-n', NS, 'route', 'add', 'default', 'dev', 'sink0']);
    await exec('ip', ['-n', NS, '-6', 'route', 'add', 'default', 'dev', 'sink0']);
    mkdirSync(`/etc/netns/${NS}`, { recursive: true });
    writeFileSync(`/etc/netns/${NS}/resolv.conf`, 'nameserver 10.253.0.53\noptions timeout:1 attempts:1\n');
    writeFileSync(`${tmp.dir}/ruleset.nft`, RULESET);
    await inNs(['nft', '-f', `${tmp.dir}/ruleset.nft`]);

    const config = `${tmp.dir}/bansho.yaml`;
    writeFileSync(
      config,
      [
        `upstream: http://127.0.0.1:${UPSTREAM_PORT}`,
        `listen: 127.0.0.1:${GATEWAY_PORT}`,
        `db: ${tmp.dir}/bansho.db`,
        'honeypot:',
        '  enabled: true',
        '  banned: true',
        `  quarantine: { dir: ${tmp.dir}/quarantine }`,
        '  budget: { sessions: 10000, concurrent: 16, bytes: 64MiB }',
        '  session: { idle: 2s }',
        '',
      ].join('\n'),
    );
    const main = `${ROOT}src/cli/main.ts`;
    const child = spawn(
      'ip',
      ['netns', 'exec', NS, process.execPath, '--import', 'tsx', main, 'serve', '--workers', '1', '--config', config],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    gateway = { child, stderr: '' };
    child.stderr.on('data', (d: Buffer) => {
      if (gateway) gateway.stderr += d;
    });
    const listening = new RegExp(`guarding .* on http://127\\.0\\.0\\.1:${GATEWAY_PORT}`);
    await waitFor(
      'the gateway in the namespace to listen',
      () => (listening.test(gateway?.stderr ?? '') ? true : undefined),
      20_000,
    );
  });

  after(async () => {
    gateway?.child.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(`/etc/netns/${NS}`, { recursive: true, force: true });
    tmp.cleanup();
  });

  it('the sinkhole counts what it must: a lookup, a connection out, a connection to 127.0.0.1:25', async () => {
    const probe = `
      const dns = require('node:dns'); const net = require('node:net');
      dns.lookup('relay-target.example', () => {
        const out = net.connect(25, '192.0.2.1'); out.on('error', () => {});
        const local = net.connect(25, '127.0.0.1'); local.on('error', () => {});
        setTimeout(() => process.exit(0), 500);
      });`;
    await inNs([process.execPath, '-e', probe]);
    const seen = await counters();
    assert.ok(seen.dns > 0 && seen.outbound > 0 && seen.loopback_other > 0, JSON.stringify(seen));
    await inNs(['nft', 'reset', 'counters']);
    assert.deepEqual(await counters(), ZERO);
  });

  const scenarios: Array<[string, (result: Record<string, unknown>) => void, string | false]> = [
    ['prettypark', (r) => assert.deepEqual(r, { probe: 'HTTP/1.0 200 OK', queued: true }), false],
    ['nodemailer', (r) => assert.match(String(r.response), /^250 2\.0\.0 Ok: queued/), false],
    ['smtplib', (r) => assert.equal(r.quit, '221'), has('python3') ? false : 'python3 is not installed'],
    ['irc', (r) => assert.equal(r.welcomed, true), false],
    ['irc-post', (r) => assert.equal(r.welcomed, true), false],
    ['tls', (r) => assert.equal(r.tunnelled, true), false],
    ['judge', (r) => assert.equal(r.remoteAddr, true), false],
    ['fuzz', (r) => assert.ok(Number(r.answered) > 100, JSON.stringify(r)), false],
    [
      'nmap',
      // It may call bansho an open proxy (it is meant to): CONNECT gets its 200. Yet nothing leaves.
      (r) => assert.equal(r.open, true, JSON.stringify(r)),
      has('nmap') ? false : 'nmap is not installed (apt-get install nmap)',
    ],
  ];
  for (const [name, check, skip] of scenarios)
    it(`${name}: played along, and not one packet left`, { skip }, async (t) => {
      const abuser = [process.execPath, '--import', 'tsx', 'test/honeypot/abuser.ts', name, String(GATEWAY_PORT)];
      const result = (await inNs(abuser, 150_000)).trim().split('\n').at(-1) as string;
      t.diagnostic(result);
      check(JSON.parse(result) as Record<string, unknown>);
      assert.deepEqual(await counters(), ZERO);
    });

  it('recorded every kind of session, and still not one packet left', async () => {
    gateway?.child.kill('SIGTERM');
    await waitFor('the gateway to stop', () => (gateway?.child.exitCode !== null ? true : undefined), 20_000);
    assert.equal(gateway?.child.exitCode, 0, gateway?.stderr);
    const store = new SqliteEventStore(`${tmp.dir}/bansho.db`);
    const events = await store.query({ actions: ['detected'] });
    await store.close();
    const services = new Set(events.map((e) => e.bansho.honeypot?.service));
    for (const s of ['smtp', 'irc', 'irc-probe', 'silent', 'proxy-judge'])
      assert.ok(services.has(s as never), `no ${s} session`);
    assert.ok(events.some((e) => e.tls?.client?.server_name === 'secure.bank.example'));
    assert.deepEqual(await counters(), ZERO);
  });
});
