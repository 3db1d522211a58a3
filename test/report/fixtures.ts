import { join } from 'node:path';
import { loadCatalog, loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { hashId } from '../../src/events/eventHeader.js';
import type { SecurityEvent } from '../../src/events/securityEvent.js';
import { toEvent } from '../../src/events/toEvent.js';
import { analyzeFiles } from '../../src/logs/run.js';
import { parseRawRequest } from '../../src/observe/index.js';
import type { DatagramObservation, HttpObservation } from '../../src/observe/observation.js';
import { openSqlite, SqliteEventStore } from '../../src/store/index.js';
import { DAY_MS, SEED_TIME } from '../logs/fixtures.js';

/**
 * A store as the seed's site would have it in February 2003: a year of access logs with the
 * PrettyPark probe every ~120 days (the `logs` sensor), Slammer datagrams from 25 January
 * dying down but trickling in (the `monitor` sensor), and the gateway's block and ban of the
 * seed's source on 3 February.
 */
export async function buildSeedStore(dir: string, logFile: string): Promise<string> {
  const dbFile = join(dir, 'seed.db');
  const store = new SqliteEventStore(openSqlite(dbFile));
  const engine = loadEngine();
  const catalog = loadCatalog();
  const threatName = (id: string) => catalog.get(id)?.name;
  await analyzeFiles([logFile], { engine, threatName, behaviours: builtInBehaviours() }, (e) =>
    store.appendEncodedSync(e),
  );

  const events: SecurityEvent[] = [];
  const outbreak = Date.UTC(2003, 0, 25, 5, 30);
  // Per day after the outbreak: hundreds at first, a trickle a week later.
  const perDay = [160, 120, 80, 60, 40, 30, 20, 6, 4, 3, 2, 2, 1, 1];
  perDay.forEach((n, day) => {
    for (let i = 0; i < n; i++) {
      const time = outbreak + day * DAY_MS + i * 60_000;
      const obs: DatagramObservation = {
        kind: 'datagram',
        transport: 'udp',
        sensor: 'monitor',
        time,
        source: { ip: `61.${(day * 7 + i) % 250}.${i % 200}.${(i * 13) % 250}`, port: 1024 + i },
        destination: { ip: '192.0.2.10', port: 1434 },
        payload: slammerPayload(),
      };
      events.push(
        toEvent(engine.match(obs), {
          seen: 'observation',
          observation: obs,
          action: 'detected',
          sensor: 'monitor',
          threatName,
          id: hashId(`slammer-${time}-${i}`),
        }),
      );
    }
  });

  // The gateway's own view of the incident: the CONNECT answered 400 and closed, then the ban.
  const connect: HttpObservation = {
    kind: 'http',
    transport: 'tcp',
    sensor: 'gateway',
    time: SEED_TIME + 7000,
    source: { ip: '151.29.130.2', port: 4369 },
    destination: { ip: '192.0.2.80', port: 80 },
    request: parseRawRequest('CONNECT maila.microsoft.com:25 / HTTP/1.0\r\n\r\n'),
    status: null,
  };
  const matches = engine.match(connect);
  events.push(
    toEvent(matches, {
      seen: 'observation',
      observation: connect,
      action: 'blocked',
      sensor: 'gateway',
      threatName,
      responseStatus: 400,
      id: hashId('gw-block'),
    }),
  );
  events.push(
    toEvent(matches, {
      seen: 'observation',
      observation: { ...connect, time: SEED_TIME + 7001 },
      action: 'banned',
      sensor: 'gateway',
      threatName,
      id: hashId('gw-ban'),
      ban: {
        target: '151.29.130.2/32',
        since: SEED_TIME + 7001,
        until: SEED_TIME + 7001 + 3_600_000,
        offence: 1,
        reason: 'proxy abuse',
      },
    }),
  );
  store.appendSync(events);
  await store.close();
  return dbFile;
}

function slammerPayload(): Uint8Array {
  const p = new Uint8Array(376).fill(1);
  p[0] = 4;
  return p;
}
