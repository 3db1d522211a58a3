import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCatalog } from '../../src/catalog/index.js';
import { BUILTIN_DEFAULTS_FILE } from '../../src/catalog/paths.js';
import { builtInBehaviours, builtInNetwork } from '../../src/config/builtInDefaults.js';
import { ConfigError, parseConfigText } from '../../src/config/gatewayConfig.js';
import { readThresholdsFile, ThresholdsError } from '../../src/config/networkSection.js';
import { sitePolicyFromFile } from '../../src/config/sitePolicy.js';
import type { NetworkSettings } from '../../src/detect/network/networkRules.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { pcap } from './helpers/captureWriter.js';
import { FLAGS, feedRawIp, ipv4, tcp } from './helpers/packets.js';
import { tempDir } from './helpers/run.js';

const BUILT_IN = builtInNetwork();

const tmp = tempDir();
after(tmp.cleanup);
const catalog = loadCatalog();

/** SSH connection attempts from one source to one server's `port`, 10 ms apart, through a Monitor set up with `network`. */
function sshAttempts(count: number, network: NetworkSettings, port = 22): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const judge = inThreadJudge({
    behaviours: builtInBehaviours(),
    engine: null,
    allFlows: false,
    threatName: (id) => catalog.get(id)?.name,
    onEvent: (e) => events.push(e),
  });
  const monitor = new Monitor({ judge, log: false, network });
  feedRawIp(
    monitor,
    Array.from({ length: count }, (_, i) =>
      ipv4(
        { src: '198.51.100.7', dst: '203.0.113.10', proto: 6 },
        tcp({ sport: 41000 + i, dport: port, seq: i, flags: FLAGS.SYN, win: 64240 }),
      ),
    ),
  );
  monitor.end();
  return events.filter((e) => e.event.action === 'detected');
}

describe("the network detectors' settings, from the config file", () => {
  test("a limit changed in the config's network section is the one the detector counts to", () => {
    const builtIn = BUILT_IN.sshBruteForce.connections;
    assert.equal(
      sshAttempts(4, sitePolicyFromFile({}).network).length,
      0,
      `4 attempts are within the built-in ${builtIn}`,
    );
    const site = sitePolicyFromFile(parseConfigText('network:\n  sshBruteForce:\n    connections: 4\n'));
    assert.equal(site.network.sshBruteForce.connections, 4);
    const found = sshAttempts(4, site.network);
    assert.equal(found.length, 1, 'the fourth attempt makes a finding');
    assert.equal(found[0]?.rule?.id, 'monitor-ssh-brute-force');
    assert.match(found[0]?.bansho.evidence ?? '', /^4 SSH connections/);
  });

  test("a finding's severity and score are the config's too", () => {
    const site = sitePolicyFromFile(
      parseConfigText('network:\n  sshBruteForce:\n    connections: 3\n    severity: high\n    score: 40\n'),
    );
    const [event] = sshAttempts(3, site.network);
    assert.equal(event?.event.severity, 75, 'high');
    assert.equal(event?.bansho.score, 40);
    assert.deepEqual(
      event?.bansho.matches?.map((m) => m.score),
      [40],
    );
    const builtIn = sshAttempts(BUILT_IN.sshBruteForce.connections, sitePolicyFromFile({}).network)[0];
    assert.equal(builtIn?.event.severity, 50, 'medium unless the config says otherwise');
    assert.equal(builtIn?.bansho.score, 10);
  });

  test('SSH on another port is watched when the config names it, and only then', () => {
    const attempts = BUILT_IN.sshBruteForce.connections;
    assert.deepEqual(BUILT_IN.sshBruteForce.ports, [22]);
    assert.equal(
      sshAttempts(attempts * 3, sitePolicyFromFile({}).network, 2222).length,
      0,
      'port 2222 is no SSH by default',
    );
    const site = sitePolicyFromFile(parseConfigText('network:\n  sshBruteForce:\n    ports: [22, 2222]\n'));
    const found = sshAttempts(attempts, site.network, 2222);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.rule?.id, 'monitor-ssh-brute-force');
    assert.equal(found[0]?.destination?.port, 2222);
    assert.match(
      found[0]?.bansho.evidence ?? '',
      new RegExp(`^${attempts} SSH connections to 203\\.0\\.113\\.10:2222 `),
    );
    assert.equal(sshAttempts(attempts, site.network, 22).length, 1, 'port 22 still is');
    const only2222 = sitePolicyFromFile(parseConfigText('network:\n  sshBruteForce:\n    ports: [2222]\n'));
    assert.equal(
      sshAttempts(attempts * 3, only2222.network, 22).length,
      0,
      'a list of ports replaces the built-in one',
    );
  });

  test('bansho monitor -r reads the SSH ports from --config: a capture of guessing on port 2222', () => {
    const count = BUILT_IN.sshBruteForce.connections;
    const file = join(tmp.dir, 'ssh2222.pcap');
    const packets = Array.from({ length: count }, (_, i) =>
      ipv4(
        { src: '198.51.100.7', dst: '203.0.113.10', proto: 6 },
        tcp({ sport: 41000 + i, dport: 2222, seq: i, flags: FLAGS.SYN, win: 64240 }),
      ),
    );
    writeFileSync(
      file,
      pcap(
        packets.map((data, i) => ({ data, sec: 1_700_000_000, nsec: i * 10_000_000 })),
        { linkType: 101 },
      ),
    );
    const config = join(tmp.dir, 'ssh2222.yaml');
    writeFileSync(config, 'network:\n  sshBruteForce:\n    ports: [22, 2222]\n');
    const findings = (...extra: string[]) =>
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'monitor', '-r', file, '--no-store', '--no-log', '--json', ...extra],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as SecurityEvent)
        .filter((e) => e.rule?.id === 'monitor-ssh-brute-force');
    assert.equal(findings().length, 0, 'port 2222 is no SSH port by default');
    const found = findings('--config', config);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.destination?.port, 2222);
    assert.equal(found[0]?.source.ip, '198.51.100.7');
  });

  test('--thresholds FILE is the network section, and wins over the config where both set a key', () => {
    const file = join(tmp.dir, 'thresholds.yaml');
    writeFileSync(
      file,
      'portScan:\n  ports: 50\nsynFlood:\n  windowSeconds: 2\nsshBruteForce:\n  connections: 4\nloginGuessing:\n  failures: 3\n',
    );
    const config = parseConfigText('network:\n  sshBruteForce:\n    connections: 8\n    windowSeconds: 30\n');
    const t = sitePolicyFromFile(config, [], readThresholdsFile(file)).network;
    assert.equal(t.portScan.ports, 50);
    assert.equal(t.portScan.hosts, BUILT_IN.portScan.hosts);
    assert.equal(t.synFlood.windowSeconds, 2);
    assert.equal(t.synFlood.syns, BUILT_IN.synFlood.syns);
    assert.equal(t.sshBruteForce.connections, 4, 'the file wins');
    assert.equal(t.sshBruteForce.windowSeconds, 30, "the config's where the file is silent");
    assert.equal(t.loginGuessing.failures, 3);
    assert.equal(t.loginGuessing.windowSeconds, BUILT_IN.loginGuessing.windowSeconds);
  });

  test('the built-in settings are a config file of their own, which must give every key', () => {
    const file = join(tmp.dir, 'defaults.yaml');
    writeFileSync(file, readFileSync(BUILTIN_DEFAULTS_FILE, 'utf8').replace('connections: 10', 'connections: 7'));
    assert.equal(builtInNetwork(file).sshBruteForce.connections, 7, 'read from the file, not from code');
    assert.deepEqual(builtInNetwork(file).portScan, BUILT_IN.portScan);
    writeFileSync(file, 'network:\n  portScan:\n    ports: 20\n');
    assert.throws(
      () => builtInNetwork(file),
      (err: unknown) =>
        err instanceof ConfigError &&
        /defaults\.yaml/.test(err.message) &&
        /network\.portScan\.hosts/.test(err.message),
    );
    writeFileSync(file, 'network:\n  portScan:\n    portz: 20\n');
    assert.throws(
      () => builtInNetwork(file),
      (err: unknown) => err instanceof ConfigError && /portz/.test(err.message),
    );
  });

  test('unknown keys and bad values are refused with the file and the field named', () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'portScan:\n  ports: -3\n  portz: 4\n');
    assert.throws(
      () => readThresholdsFile(file),
      (err: unknown) =>
        err instanceof ThresholdsError &&
        err.code === 'E_THRESHOLDS' &&
        /bad\.yaml/.test(err.message) &&
        /portScan/.test(err.message),
    );
    assert.throws(() => parseConfigText('network:\n  synFlood:\n    maxCompletedShare: 2\n'), /network/);
  });
});
