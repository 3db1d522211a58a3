import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';
import { pcap } from './helpers/captureWriter.js';
import { feedRawIp, httpExchangePackets } from './helpers/packets.js';

const engine = loadEngine();
const catalog = loadCatalog();
const SERVER = '203.0.113.10';

/** One connection: handshake, a GET for `path`, the server's `status` answer, both FINs. */
function visit(client: string, port: number, path: string, status: number, headers = ''): number[][] {
  const req = `GET ${path} HTTP/1.1\r\nHost: www.example.com\r\n${headers}\r\n`;
  const res = `HTTP/1.1 ${status} Whatever\r\nContent-Length: 0\r\n\r\n`;
  return httpExchangePackets({ client, server: SERVER, clientPort: port, request: req, response: res });
}

function run(packets: number[][], trustedProxies: readonly string[] = []): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const judge = inThreadJudge({
    behaviours: builtInBehaviours(),
    engine,
    trustedProxies,
    threatName: (id) => catalog.get(id)?.name,
    allFlows: false,
    onEvent: (e) => events.push(e),
  });
  const monitor = new Monitor({ judge, log: false });
  feedRawIp(monitor, packets);
  return events;
}

describe('monitor: behaviour across connections', () => {
  test('a client that asks for eleven missing paths is named a path prober, once, from the answers on the wire', () => {
    const scanner = '198.51.100.50';
    const packets = Array.from({ length: 11 }, (_, i) => visit(scanner, 40000 + i, `/page${i}.html`, 404)).flat();
    const found = run(packets).filter((e) => e.threat?.software?.id === 'web-path-probing');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.source.ip, scanner);
    assert.equal(found[0]?.rule?.id, 'behaviour-path-probing');
    assert.equal(found[0]?.threat?.software?.name, 'Web path probing');
    assert.equal(found[0]?.http?.response?.status_code, 404);
    assert.ok(
      run(packets.slice(0, 10 * 6)).every((e) => e.threat?.software?.id !== 'web-path-probing'),
      'ten are not',
    );
  });

  test('pages that exist are no probing, however many', () => {
    const packets = Array.from({ length: 30 }, (_, i) => visit('198.51.100.51', 41000 + i, `/page${i}`, 200)).flat();
    assert.deepEqual(run(packets), []);
  });
});

test("bansho monitor --config takes the site's behaviour limits to its judge thread", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-monitor-config-'));
  try {
    const packets = Array.from({ length: 11 }, (_, i) =>
      visit('198.51.100.52', 42000 + i, `/page${i}.html`, 404),
    ).flat();
    const file = join(dir, 'probe.pcap');
    writeFileSync(
      file,
      pcap(
        packets.map((data, i) => ({ data, sec: 1_700_000_000, nsec: i * 10_000_000 })),
        { linkType: 101 },
      ),
    );
    const config = join(dir, 'site.yaml');
    writeFileSync(config, 'behaviours:\n  path-probing: { capacity: 20 }\n');
    const probings = (...extra: string[]) =>
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'monitor', '-r', file, '--no-store', '--json', ...extra],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter((l) => l.includes('"behaviour-path-probing"')).length;
    assert.equal(probings(), 1, 'eleven missing paths overflow the built-in limit');
    assert.equal(probings('--config', config), 0, 'and stay within the configured one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a request a trusted proxy forwards is the client's its X-Forwarded-For names, on either judge", () => {
  const proxy = '10.0.0.5';
  const probe = visit(
    proxy,
    43000,
    'http://irc.stealth.net:5558/',
    200,
    'X-Forwarded-For: 198.51.100.1, 192.0.2.40\r\n',
  );
  const named = (events: SecurityEvent[]) =>
    events.filter((e) => e.threat?.software?.id === 'prettypark').map((e) => `${e.source.ip}:${e.source.port}`);
  assert.deepEqual(named(run(probe, ['10.0.0.0/8'])), ['192.0.2.40:0']);
  assert.deepEqual(named(run(probe)), ['10.0.0.5:43000'], 'no proxy trusted: the connection is the client');

  const dir = mkdtempSync(join(tmpdir(), 'bansho-monitor-proxied-'));
  try {
    const file = join(dir, 'proxied.pcap');
    writeFileSync(
      file,
      pcap(
        probe.map((data, i) => ({ data, sec: 1_700_000_000, nsec: i * 1000 })),
        { linkType: 101 },
      ),
    );
    const config = join(dir, 'site.yaml');
    writeFileSync(config, 'trusted_proxies: [10.0.0.0/8]\n');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'monitor', '-r', file, '--no-store', '--json', '--config', config],
      { encoding: 'utf8' },
    );
    const events = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as SecurityEvent);
    assert.deepEqual(named(events), ['192.0.2.40:0'], 'the judge thread is told the proxies too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
