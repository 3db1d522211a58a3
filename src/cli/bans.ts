import type { Command } from 'commander';
import { formatDuration, parseDuration } from '../config/duration.js';
import { banTargetFor } from '../defense/address.js';
import { banDurationMs, DEFAULT_BAN_POLICY, manualBan } from '../defense/banPolicy.js';
import { toNftables } from '../defense/firewallExport.js';
import { SqliteBanStore } from '../store/sqlite/sqliteStore.js';

const DB_HELP = 'SQLite database (default ./bansho.db)';

/**
 * `bansho bans list | add IP [--for DURATION] | remove IP | export --nft`: works while a gateway
 * runs (it polls the store's version counter).
 */
export function register(program: Command): void {
  const bans = program
    .command('bans')
    .description('list, add and remove bans (a running gateway picks changes up within a second)');

  bans
    .command('list')
    .description('bans in force')
    .option('--db <file>', DB_HELP, './bansho.db')
    .option('--json', 'one JSON object per line')
    .action((flags: { db: string; json?: boolean }) => {
      withStore(flags.db, (store) => {
        const now = Date.now();
        const active = store.activeSync(now);
        if (flags.json) {
          for (const b of active) process.stdout.write(`${JSON.stringify(b)}\n`);
          return;
        }
        if (active.length === 0) {
          process.stdout.write('no bans in force\n');
          return;
        }
        const rows = active.map((b) => [
          b.target,
          formatDuration(b.until - now),
          new Date(b.until).toISOString(),
          String(b.offence),
          b.origin,
          b.threatId ?? '-',
          b.reason,
        ]);
        printTable(['TARGET', 'LEFT', 'UNTIL', 'OFFENCE', 'ORIGIN', 'THREAT', 'REASON'], rows);
      });
    });

  bans
    .command('add <ip>')
    .description('ban an address (an IPv6 address bans its /64) or a CIDR')
    .option('--for <duration>', 'how long, e.g. 30m, 1h, 7d (default: the escalation policy)')
    .option('--reason <text>', 'why', 'manual')
    .option('--db <file>', DB_HELP, './bansho.db')
    .action((ip: string, flags: { for?: string; reason: string; db: string }) => {
      const target = banTargetFor(ip);
      withStore(flags.db, (store) => {
        const now = Date.now();
        const previous = store.offencesSync(target);
        const duration = flags.for ? parseDuration(flags.for) : banDurationMs(previous + 1, DEFAULT_BAN_POLICY);
        const ban = manualBan(target, previous, now, duration, flags.reason);
        store.putSync(ban);
        process.stdout.write(
          `banned ${target} for ${formatDuration(duration)} (until ${new Date(ban.until).toISOString()})\n`,
        );
      });
    });

  bans
    .command('remove <ip>')
    .description('lift the ban covering an address or CIDR')
    .option('--db <file>', DB_HELP, './bansho.db')
    .action((ip: string, flags: { db: string }) => {
      const target = banTargetFor(ip);
      withStore(flags.db, (store) => {
        if (store.removeSync(target)) process.stdout.write(`removed the ban on ${target}\n`);
        else {
          process.stdout.write(`no ban on ${target}\n`);
          process.exitCode = 1;
        }
      });
    });

  exportCommand(bans);
}

function exportCommand(bans: Command): void {
  bans
    .command('export')
    .description('print the bans as an nftables script, so the kernel drops a flood before node accepts it')
    .requiredOption('--nft', 'nftables format (the only one so far)')
    .option('--port <port>', "only drop connections to this TCP port (the gateway's)")
    .option('--db <file>', DB_HELP, './bansho.db')
    .action((flags: { port?: string; db: string }) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
        throw new Error(`--port ${flags.port}: not a TCP port`);
      withStore(flags.db, (store) => {
        const now = Date.now();
        process.stdout.write(toNftables(store.activeSync(now), now, port !== undefined ? { port } : {}));
      });
    });
}

function withStore(db: string, use: (store: SqliteBanStore) => void): void {
  const store = new SqliteBanStore(db);
  try {
    use(store);
  } finally {
    void store.close();
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  process.stdout.write(line(header));
  for (const r of rows) process.stdout.write(line(r));
}
