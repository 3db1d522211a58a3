import type { Command } from 'commander';
import { resolveGatewayConfig } from '../config/index.js';
import { startDemoSite } from '../demo/site.js';
import { startGatewayService } from '../gateway/service.js';
import type { SecurityEvent } from '../store/securityEvent.js';

interface DemoFlags {
  listen: string;
  db: string;
}

/** `bansho demo`: a demo site, the gateway in front of it, and how to replay the seed's attack. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('start a demo site with bansho in front of it, and show how to replay the 2003 PrettyPark probe')
    .option('--listen <host:port>', 'where the gateway listens', '127.0.0.1:8000')
    .option('--db <file>', 'SQLite database for events and bans', './bansho.db')
    .action(async (flags: DemoFlags) => {
      await demo(flags);
    });
}

async function demo(flags: DemoFlags): Promise<void> {
  const site = await startDemoSite();
  // Drops at accept are summarised every 2 s (not 10 s) so a newcomer sees them promptly.
  const config = {
    ...resolveGatewayConfig({}, { upstream: site.url, listen: flags.listen, db: flags.db }),
    dropReportIntervalMs: 2000,
  };
  let service: Awaited<ReturnType<typeof startGatewayService>>;
  try {
    service = await startGatewayService(config, (line) => process.stderr.write(`${line}\n`), printEvent);
  } catch (err) {
    site.server.close();
    throw err;
  }
  const url = service.gateway.url();
  const { port } = service.gateway.address();
  const dbFlag = flags.db === './bansho.db' ? '' : ` --db ${flags.db}`;
  process.stdout.write(`
bansho demo — a guardhouse in front of a small web site

  the site, through bansho:   ${url}/        (pages, a guestbook form, a WebSocket echo at /echo)
  the site, unguarded:        ${site.url}/
  events and bans are kept in ${flags.db}

Replay the seed's attack (PrettyPark, 3 February 2003) from another terminal. The attacker is
127.0.0.2 (any 127.x address reaches this machine), so your browser on 127.0.0.1 keeps working.

  1. the worm asks the "proxy" for an IRC server — answered 400 Bad Request, and the source is banned:
       curl -si --interface 127.0.0.2 --proxy ${url} http://irc.stealth.net:5558/

  2. then for a mail server — the connection is now closed at once, no answer:
       printf 'CONNECT maila.microsoft.com:25 / HTTP/1.0\\r\\n\\r\\n' | nc -s 127.0.0.2 127.0.0.1 ${port}

  3. the same CONNECT from a fresh address, 127.0.0.3 — 400 Bad Request, then banned too:
       printf 'CONNECT maila.microsoft.com:25 / HTTP/1.0\\r\\n\\r\\n' | nc -s 127.0.0.3 127.0.0.1 ${port}

  4. who is banned, and lifting a ban:
       bansho bans list${dbFlag}
       bansho bans remove 127.0.0.2${dbFlag}

Events appear below as they happen. Ctrl-C stops the demo.

`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('\nbansho demo: stopping\n');
      service
        .stop()
        .then(() => new Promise<void>((done) => site.server.close(() => done())))
        .then(resolve, resolve);
      site.server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function printEvent(e: SecurityEvent): void {
  const threat = e.threat?.software?.name ? ` — ${e.threat.software.name}` : '';
  const ban = e.bansho.ban
    ? ` (banned ${e.bansho.ban.target} for ${Math.round(e.bansho.ban.duration_s / 60)} min)`
    : '';
  const what =
    e.event.action === 'dropped'
      ? `${e.event.count} connection(s) closed at accept`
      : JSON.stringify(e.bansho.evidence ?? '');
  process.stdout.write(
    `${e['@timestamp'].slice(11, 19)}  ${e.event.action.padEnd(8)} ${e.source.ip}${threat}${ban}: ${what}\n`,
  );
}
