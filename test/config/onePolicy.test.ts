import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfigText, resolveGatewayConfig } from '../../src/config/index.js';
import { sitePolicyFromFile } from '../../src/config/sitePolicy.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteStore.js';
import { gatewayForSuite, rawRequest, storedEvents, tempDir } from '../gateway/helpers.js';
import { combinedLine } from '../logs/fixtures.js';
import { pcap, writeCapture } from '../monitor/helpers/captureWriter.js';
import { timed } from '../monitor/helpers/scenario.js';
import { tcpConversation } from '../monitor/helpers/tcpConversation.js';

const OWN = 'GET http://localhost/own HTTP/1.1';
const FOREIGN = 'GET http://evil.example/ HTTP/1.1';

function cli(...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
}

async function threatsIn(db: string): Promise<Map<string, string[]>> {
  const store = new SqliteEventStore(db);
  try {
    const byIp = new Map<string, string[]>();
    for (const e of await store.query({})) {
      if (e.event.action === 'flow') continue;
      byIp.set(e.source.ip, [...(byIp.get(e.source.ip) ?? []), e.threat?.software?.id ?? e.event.action]);
    }
    return byIp;
  } finally {
    await store.close();
  }
}

describe('one site policy for the three sensors', () => {
  it('derives the same site names for the gateway as for analyze and monitor', () => {
    const file = parseConfigText(
      'upstream: http://app.internal:8080\nlisten: 127.0.0.5:8000\nsite_names: [WWW.Example.org]\n',
    );
    const gateway = resolveGatewayConfig(file, {}).site.siteNames;
    assert.deepEqual([...sitePolicyFromFile(file).siteNames].sort(), [...gateway].sort());
    assert.deepEqual([...gateway].sort(), ['127.0.0.5', 'app.internal', 'localhost', 'www.example.org']);
    // A bare port is loopback for the gateway, so for all three (not a host named "8000").
    const barePort = parseConfigText('upstream: http://app.internal:8080\nlisten: "8000"\n');
    assert.equal(resolveGatewayConfig(barePort, {}).listen.host, '127.0.0.1');
    assert.deepEqual([...sitePolicyFromFile(barePort).siteNames].sort(), ['127.0.0.1', 'app.internal', 'localhost']);
  });

  const suite = gatewayForSuite();

  it('GET http://localhost/ is the site and GET http://evil.example/ proxy abuse, in all three', async () => {
    const tmp = tempDir();
    try {
      // The gateway.
      const own = await rawRequest(
        suite.service.port,
        '127.0.13.1',
        `${OWN}\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      assert.match(own.response, /^HTTP\/1\.1 200/);
      const foreign = await rawRequest(suite.service.port, '127.0.13.2', `${FOREIGN}\r\nHost: evil.example\r\n\r\n`);
      assert.match(foreign.response, /^HTTP\/1\.1 400/);
      assert.deepEqual(await storedEvents(suite.service, suite.db, '127.0.13.1'), []);
      assert.equal(
        (await storedEvents(suite.service, suite.db, '127.0.13.2'))[0]?.threat?.software?.id,
        'open-proxy-probe',
      );

      // The log analyzer, with the same config file.
      const config = join(tmp.dir, 'bansho.yaml');
      writeFileSync(config, 'upstream: http://127.0.0.1:8080\n');
      const log = join(tmp.dir, 'access.log');
      const t = Date.UTC(2026, 0, 5, 10);
      writeFileSync(
        log,
        `${combinedLine('198.51.100.1', t, OWN, 200, 10)}\n${combinedLine('198.51.100.2', t, FOREIGN, 200, 10)}\n`,
      );
      const logDb = join(tmp.dir, 'logs.db');
      cli('analyze', log, '--config', config, '--db', logDb, '--no-origins', '--no-progress');
      const fromLogs = await threatsIn(logDb);
      assert.equal(fromLogs.get('198.51.100.1'), undefined, 'analyze called the site itself proxy abuse');
      assert.deepEqual(fromLogs.get('198.51.100.2'), ['open-proxy-probe']);

      // The packet monitor, with the same config file.
      const frames = [
        ...tcpConversation(
          { client: '198.51.100.1', server: '192.0.2.80', clientPort: 40001, serverPort: 80, serverTtl: 64 },
          [['c', Buffer.from(`${OWN}\r\nHost: localhost\r\n\r\n`)]],
        ),
        ...tcpConversation(
          { client: '198.51.100.2', server: '192.0.2.80', clientPort: 40002, serverPort: 80, serverTtl: 64 },
          [['c', Buffer.from(`${FOREIGN}\r\nHost: evil.example\r\n\r\n`)]],
        ),
      ];
      const capture = writeCapture(join(tmp.dir, 'c.pcap'), pcap(timed(frames), { linkType: 1 }));
      const monitorDb = join(tmp.dir, 'monitor.db');
      cli('monitor', '-r', capture, '--config', config, '--db', monitorDb);
      const fromPackets = await threatsIn(monitorDb);
      assert.equal(fromPackets.get('198.51.100.1'), undefined, 'the monitor called the site itself proxy abuse');
      assert.deepEqual(fromPackets.get('198.51.100.2'), ['open-proxy-probe']);
    } finally {
      tmp.cleanup();
    }
  });
});
