import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { BUILTIN_DEFAULTS_FILE } from '../../src/catalog/paths.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { parseDuration } from '../../src/config/duration.js';
import { ConfigError, type ConfigFile, parseConfigText } from '../../src/config/index.js';
import { sitePolicyFromFile } from '../../src/config/sitePolicy.js';
import { BEHAVIOUR_NAMES, HttpBehaviour } from '../../src/detect/behaviour/httpBehaviour.js';
import { rawRequest, startTestGateway, storedEvents, tempDir, testConfig } from '../gateway/helpers.js';
import { combinedLine } from '../logs/fixtures.js';
import { pcap, writeCapture } from '../monitor/helpers/captureWriter.js';
import { tcpConversation } from '../monitor/helpers/tcpConversation.js';

const TEXT = readFileSync(BUILTIN_DEFAULTS_FILE, 'utf8');

/** A copy of the built-in file with `edit` applied, in a temporary directory. */
function editedCopy(dir: string, edit: (text: string) => string): string {
  const file = join(dir, 'defaults.yaml');
  const edited = edit(TEXT);
  assert.notEqual(edited, TEXT, 'the edit changed the file');
  writeFileSync(file, edited);
  return file;
}

/** The text with the first `line` after `after` removed or replaced. */
function replaceAfter(text: string, after: string, line: string, by: string): string {
  const at = text.indexOf(line, text.indexOf(after));
  return `${text.slice(0, at)}${by}${text.slice(at + line.length)}`;
}

/** Distinct missing paths from one source, one request a second: the findings path probing makes of them. */
function probings(settings: ReturnType<typeof builtInBehaviours>, paths: number): number {
  const h = new HttpBehaviour(settings);
  let found = 0;
  for (let i = 0; i < paths; i++) {
    const s = { time: 1_700_000_000_000 + i * 1000, source: '198.51.100.9', method: 'GET' };
    found += h.request({ ...s, path: `/missing${i}.html`, query: '', status: 404 }).length;
  }
  return found;
}

describe("the behaviours' built-in limits are data (src/catalog/defaults.yaml)", () => {
  it('are what the site policy uses, value for value as the file writes them', () => {
    const raw = (parse(TEXT) as { behaviours: Record<string, Record<string, string | number>> }).behaviours;
    const policy = sitePolicyFromFile({}).behaviours;
    assert.deepEqual(policy, builtInBehaviours());
    for (const name of BEHAVIOUR_NAMES) {
      const given = raw[name];
      assert.ok(given, name);
      assert.deepEqual(policy[name], {
        capacity: given.capacity,
        leakMs: parseDuration(given.leak_speed as string),
        cooldownMs: parseDuration(given.cooldown as string),
        severity: given.severity,
        score: given.score,
      });
    }
  });

  it('an edited copy changes the limit a behaviour counts to, and nothing else', () => {
    const tmp = tempDir();
    try {
      const builtIn = builtInBehaviours();
      const capacity = builtIn['path-probing']?.capacity ?? 0;
      const file = editedCopy(tmp.dir, (t) =>
        replaceAfter(t, '  path-probing:', `capacity: ${capacity}`, `capacity: ${capacity - 6}`),
      );
      const edited = builtInBehaviours(file);
      assert.equal(edited['path-probing']?.capacity, capacity - 6);
      assert.deepEqual({ ...edited, 'path-probing': null }, { ...builtIn, 'path-probing': null });
      assert.equal(probings(builtIn, capacity - 5), 0, 'within the built-in limit');
      assert.equal(probings(edited, capacity - 5), 1, "over the edited copy's");
    } finally {
      tmp.cleanup();
    }
  });

  it('a missing, misspelled or switched-off key is refused, naming the file and the key', () => {
    const tmp = tempDir();
    const refused = (edit: (text: string) => string, key: RegExp) =>
      assert.throws(
        () => builtInBehaviours(editedCopy(tmp.dir, edit)),
        (err: unknown) => err instanceof ConfigError && /defaults\.yaml/.test(err.message) && key.test(err.message),
      );
    try {
      refused(
        (t) => replaceAfter(t, '  wordpress-login:', '    leak_speed: 10s\n', ''),
        /behaviours\.wordpress-login\.leak_speed/,
      );
      refused(
        (t) => replaceAfter(t, '  path-probing:', 'capacity:', 'capasity:'),
        /behaviours\.path-probing\.capasity/,
      );
      refused((t) => t.slice(0, t.indexOf('  wordpress-xmlrpc:')), /behaviours\.wordpress-xmlrpc/);
      refused(
        (t) =>
          `${t.slice(0, t.indexOf('  auth-failures:'))}  auth-failures: false\n${t.slice(t.indexOf('  login-form:'))}`,
        /behaviours\.auth-failures/,
      );
      refused(
        (t) => replaceAfter(t, '  login-form:', 'severity: medium', 'severity: dire'),
        /behaviours\.login-form\.severity/,
      );
    } finally {
      tmp.cleanup();
    }
  });
});

function cli(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

const PATHS = 8;
const OVERRIDE = 'behaviours:\n  path-probing: { capacity: 3 }\n';
const request = (i: number): string => `GET /missing${i}.html HTTP/1.1`;

/** The gateway in front of a site where every page is missing: its path-probing findings for `PATHS` requests. */
async function gatewayProbings(file: ConfigFile, dir: string): Promise<number> {
  const site = createServer((_req, res) => res.writeHead(404, { 'content-length': 0 }).end());
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const db = join(dir, `gateway-${Date.now()}.db`);
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const service = await startTestGateway(testConfig(url, db, {}, file));
  try {
    const ip = '127.0.0.140';
    for (let i = 0; i < PATHS; i++)
      await rawRequest(service.port, ip, `${request(i)}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    return (await storedEvents(service, db, ip)).filter((e) => e.rule?.id === 'behaviour-path-probing').length;
  } finally {
    await service.stop();
    site.closeAllConnections();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  }
}

describe("a config file's behaviours over the built-in limits, in all three sensors", () => {
  it(`${PATHS} missing paths are within the built-in limit and over the configured one`, async () => {
    const tmp = tempDir();
    try {
      const config = join(tmp.dir, 'site.yaml');
      writeFileSync(config, OVERRIDE);
      const withConfig = ['--config', config];
      const lines = (out: string) => out.split('\n').filter((l) => l.includes('"behaviour-path-probing"')).length;

      assert.equal(await gatewayProbings({}, tmp.dir), 0, 'gateway, built in');
      assert.equal(await gatewayProbings(parseConfigText(OVERRIDE), tmp.dir), 1, 'gateway, configured');

      const log = join(tmp.dir, 'access.log');
      const t = Date.UTC(2026, 0, 5, 10);
      const logLines = Array.from({ length: PATHS }, (_, i) => combinedLine('198.51.100.40', t, request(i), 404, 0));
      writeFileSync(log, `${logLines.join('\n')}\n`);
      const analyze = (...extra: string[]) =>
        lines(
          cli(
            'analyze',
            log,
            '--json',
            '--db',
            join(tmp.dir, `logs${extra.length}.db`),
            '--no-origins',
            '--no-progress',
            ...extra,
          ),
        );
      assert.equal(analyze(), 0, 'analyze, built in');
      assert.equal(analyze(...withConfig), 1, 'analyze, configured');

      const frames = Array.from({ length: PATHS }, (_, i) =>
        tcpConversation(
          { client: '198.51.100.41', server: '192.0.2.80', clientPort: 41000 + i, serverPort: 80, serverTtl: 64 },
          [
            ['c', Buffer.from(`${request(i)}\r\nHost: www.example.org\r\n\r\n`)],
            ['s', Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')],
          ],
        ),
      ).flat();
      // All in one second: no bucket drains between them.
      const packets = frames.map((data, i) => ({ data, sec: 1_700_000_000, nsec: i * 1_000_000 }));
      const capture = writeCapture(join(tmp.dir, 'probe.pcap'), pcap(packets, { linkType: 1 }));
      const monitor = (...extra: string[]) => lines(cli('monitor', '-r', capture, '--no-store', '--json', ...extra));
      assert.equal(monitor(), 0, 'monitor, built in');
      assert.equal(monitor(...withConfig), 1, 'monitor, configured');
    } finally {
      tmp.cleanup();
    }
  });
});
