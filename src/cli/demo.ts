import type { Command } from 'commander';
import { resolveGatewayConfig } from '../config/index.js';
import { describeStep, replayPrettyParkAttack } from '../demo/prettyParkAttack.js';
import { startDemoSite } from '../demo/site.js';
import type { SecurityEvent } from '../events/securityEvent.js';
import { type GatewayWithDashboard, startGatewayWithDashboard } from '../web/gatewayWithDashboard.js';

interface DemoFlags {
  listen: string;
  db: string;
}

/** `bansho demo`: a demo site, the gateway in front of it, and how to replay the 2003 PrettyPark attack. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('start a demo site with bansho in front of it, and show how to replay the 2003 PrettyPark probe')
    .option('--listen <host:port>', 'where the gateway listens', '127.0.0.1:8000')
    .option('--db <file>', 'SQLite database for events and bans', './bansho.db')
    .action(async (flags: DemoFlags) => {
      await demo(flags);
    })
    .command('replay')
    .description(
      'replay the 2003 PrettyPark attack (the proxy test, then CONNECT to a mail server) against a local bansho',
    )
    .option('--target <host:port>', 'the gateway to test (loopback only)', '127.0.0.1:8000')
    .option('--from <address>', 'the attacking source address (a loopback address)', '127.0.0.2')
    .action(async (flags: ReplayFlags) => {
      await replay(flags);
    });
}

interface ReplayFlags {
  target: string;
  from: string;
}

/** Loopback only: the replay sends attack bytes, so it must never be pointed at someone else. */
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1|\[::1\])$/;

async function replay(flags: ReplayFlags): Promise<void> {
  const colon = flags.target.lastIndexOf(':');
  const host = flags.target.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(flags.target.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--target must be host:port, got "${flags.target}"`);
  }
  if (!LOOPBACK.test(host) || !LOOPBACK.test(flags.from)) {
    throw new Error('the replay only runs between loopback addresses (127.0.0.0/8, ::1)');
  }
  process.stdout.write(`replaying the 2003 PrettyPark attack from ${flags.from} to ${host}:${port}\n\n`);
  for (const step of await replayPrettyParkAttack(host, port, flags.from)) {
    process.stdout.write(`  ${describeStep(step)}\n`);
  }
}

async function demo(flags: DemoFlags): Promise<void> {
  const site = await startDemoSite();
  // Drops at accept are summarised every 2 s (not 10 s) so a newcomer sees them promptly.
  const config = {
    ...resolveGatewayConfig({}, { upstream: site.url, listen: flags.listen, db: flags.db }),
    dropReportIntervalMs: 2000,
  };
  let running: GatewayWithDashboard;
  try {
    running = await startGatewayWithDashboard(config, { onEvent: printEvent });
  } catch (err) {
    site.server.close();
    throw err;
  }
  const url = running.service.gateway.url();
  const { port } = running.service.gateway.address();
  const window = running.dashboard?.url ? `${running.dashboard.url}/` : '(port busy: no dashboard this time)';
  const dbFlag = flags.db === './bansho.db' ? '' : ` --db ${flags.db}`;
  process.stdout.write(`
bansho demo — a guardhouse in front of a small web site

  the site, through bansho:   ${url}/        (pages, a guestbook form, a WebSocket echo at /echo)
  the site, unguarded:        ${site.url}/
  the dashboard:              ${window}
  events and bans are kept in ${flags.db}

Replay the 2003 PrettyPark attack (3 February 2003) from another terminal. The attacker is
127.0.0.2 (any 127.x address reaches this machine), so your browser on 127.0.0.1 keeps working.

  all at once — the proxy test, the CONNECT to a mail server, then the repeats:
       npx bansho demo replay --target 127.0.0.1:${port} --from 127.0.0.2

  or step by step, by hand:
  1. the worm asks the "proxy" for an IRC server — answered 400 Bad Request and closed:
       curl -si --interface 127.0.0.2 --proxy ${url} http://irc.stealth.net:5558/

  2. then for a mail server, with the worm's malformed line — 400 Bad Request, and the source is banned:
       printf 'CONNECT maila.microsoft.com:25 / HTTP/1.0\\r\\n\\r\\n' | nc -s 127.0.0.2 127.0.0.1 ${port}

  3. the same again — now the connection is closed at once, with no answer:
       printf 'CONNECT maila.microsoft.com:25 / HTTP/1.0\\r\\n\\r\\n' | nc -s 127.0.0.2 127.0.0.1 ${port}

  4. who is banned, and lifting a ban:
       npx bansho bans list${dbFlag}
       npx bansho bans remove 127.0.0.2${dbFlag}

Events appear below as they happen. Ctrl-C stops the demo.

`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('\nbansho demo: stopping\n');
      running
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
