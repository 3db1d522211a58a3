import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRETTYPARK_REQUESTS } from '../../src/demo/prettyParkAttack.js';
import { RecordingUpstream, rawRequest, startTestGateway, testConfig } from '../gateway/helpers.js';
import { bootstrapFile, entity, ipNetwork, jcard, Registry } from './rdapWorld.js';

/** The 2003 incident's source, replayed from a loopback address. */
export const ATTACKER = '127.0.0.2';
/** A second source asking the gateway to CONNECT to another victim's mail server by its address. */
export const RELAY_PROBER = '127.0.0.3';
export const VICTIM_MAIL_SERVER = '198.51.100.25';
/** A third source asking for our own address through the "proxy". */
export const SELF_PROBER = '127.0.0.4';
export const ABUSE_DESK = 'abuse@loopback-isp.example';

/**
 * Replay the 2003 incident (and two smaller probes) through a real gateway into `db`: the
 * requests byte for byte, each on its own connection, from loopback addresses. Returns the
 * gateway's listen address, as the config names it.
 */
export async function replayThrough(db: string): Promise<string> {
  const upstream = new RecordingUpstream();
  const service = await startTestGateway(testConfig(await upstream.listen(), db));
  try {
    for (const request of PRETTYPARK_REQUESTS) await rawRequest(service.port, ATTACKER, request);
    await rawRequest(service.port, RELAY_PROBER, `CONNECT ${VICTIM_MAIL_SERVER}:25 HTTP/1.0\r\n\r\n`);
    await rawRequest(service.port, SELF_PROBER, 'CONNECT 127.0.0.1:25 HTTP/1.0\r\n\r\n');
    await service.gateway.events.flush();
    return `127.0.0.1:${service.port}`;
  } finally {
    await service.stop();
    await upstream.close();
  }
}

/**
 * A registry answering for 127.0.0.0/8: 127.0.0.0/24 is a dial-up network with an abuse desk,
 * 127.0.1.0/24 a hosting network that registered none. And the bootstrap file naming it.
 */
export async function loopbackRegistry(): Promise<{ registry: Registry; iana: Registry; bootstrapUrl: string }> {
  const registry = await new Registry((path) => ({
    kind: 'json',
    body: path.startsWith('/ip/127.0.1.')
      ? ipNetwork({
          handle: 'NET-LOOP-2',
          name: 'LOOPBACK-HOSTING',
          start: '127.0.1.0',
          end: '127.0.1.255',
          entities: [entity('ORG-HOST', ['registrant', 'technical'], jcard('Hosting', 'noc@hosting.example'))],
        })
      : ipNetwork({
          handle: 'NET-LOOP-1',
          name: 'LOOPBACK-DIAL',
          start: '127.0.0.0',
          end: '127.0.0.255',
          entities: [
            entity('ORG-LOOP', ['registrant'], jcard('Loopback ISP'), [
              entity('ABUSE-LOOP', ['abuse'], jcard('Loopback ISP abuse desk', ABUSE_DESK)),
            ]),
          ],
          links: [{ rel: 'self', href: path }],
        }),
  })).start();
  const bootstrap = bootstrapFile([[['127.0.0.0/8'], registry.url]]);
  const iana = await new Registry(() => ({ kind: 'json', body: bootstrap })).start();
  return { registry, iana, bootstrapUrl: `${iana.url}ipv4.json` };
}

/** The site's config file, with its abuse section. */
export function writeConfig(dir: string, listen: string, db: string, abuse: Record<string, unknown>): string {
  const file = join(dir, 'bansho.yaml');
  writeFileSync(
    file,
    `${JSON.stringify({ upstream: 'http://127.0.0.1:8080', listen, db, site_names: ['shop.example.org'], abuse }, null, 2)}\n`,
  );
  return file;
}
