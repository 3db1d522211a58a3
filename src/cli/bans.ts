import { once } from 'node:events';
import type { Command } from 'commander';
import { formatDuration, parseDuration } from '../config/duration.js';
import { readConfigFile } from '../config/gatewayConfig.js';
import { banTargetFor } from '../defense/address.js';
import { Allowlist } from '../defense/allowlist.js';
import { banDurationMs, DEFAULT_BAN_POLICY, manualBan } from '../defense/banPolicy.js';
import { toNftables } from '../defense/firewallExport.js';
import { SqliteStore } from '../store/sqlite/sqliteStore.js';
import type { Store } from '../store/store.js';
import type { Ban } from '../store/types.js';
import { dbOption, openCommandStore, STORE_HELP, type StoreFlags } from './storeOption.js';

/** `bans add` of an address the config never bans, without --force. */
export const EXIT_ALLOWLISTED = 3;

export class BansOptionError extends Error {
  readonly code = 'E_BANS_OPTION';
}

/**
 * `bansho bans list | add IP [--for DURATION] | remove IP | export --nft`: works while a gateway
 * runs (it applies the store's change log within a poll interval).
 */
export function register(program: Command): void {
  const bans = program
    .command('bans')
    .description('list, add and remove bans (a running gateway picks changes up within a second)');

  bans
    .command('list')
    .description('bans in force, oldest first, a page at a time')
    .addOption(dbOption())
    .option('--json', 'one JSON object per line')
    .option('--limit <n>', 'at most this many (0: all)', '100')
    .option('--offset <n>', 'skip this many first (the next page: --offset 100)', '0')
    .option('--all', 'every ban in force (same as --limit 0)')
    .option('--store <url>', STORE_HELP)
    .action(async (flags: StoreFlags & { json?: boolean; limit: string; offset: string; all?: boolean }) => {
      const limit = flags.all ? 0 : count('--limit', flags.limit);
      const offset = count('--offset', flags.offset);
      const store = await openCommandStore(flags);
      try {
        await listBans(store, { limit, offset, json: flags.json === true });
      } finally {
        await store.close();
      }
    });

  bans
    .command('add <ip>')
    .description('ban an address (an IPv6 address bans its /64) or a CIDR')
    .option('--for <duration>', 'how long, e.g. 30m, 1h, 7d (default: the escalation policy)')
    .option('--reason <text>', 'why', 'manual')
    .addOption(dbOption())
    .option(
      '--config <file>',
      `the gateway's config: its allowlist and trusted_proxies are refused (exit ${EXIT_ALLOWLISTED})`,
    )
    .option('--force', 'ban even an allowlisted address or a trusted proxy')
    .option('--store <url>', STORE_HELP)
    .action(async (ip: string, flags: StoreFlags & { for?: string; reason: string; force?: boolean }) => {
      const target = banTargetFor(ip);
      const refusal = flags.config && !flags.force ? allowlistRefusal(target, flags.config) : null;
      if (refusal !== null) {
        process.stderr.write(`bansho: ${target} not banned: ${refusal}; --force bans it anyway\n`);
        process.exitCode = EXIT_ALLOWLISTED;
        return;
      }
      await withStore(flags, async (store) => {
        const now = Date.now();
        const previous = await store.offences(target);
        const duration = flags.for ? parseDuration(flags.for) : banDurationMs(previous + 1, DEFAULT_BAN_POLICY);
        const ban = manualBan(target, previous, now, duration, flags.reason);
        await store.putBans([ban]);
        process.stdout.write(
          `banned ${target} for ${formatDuration(duration)} (until ${new Date(ban.until).toISOString()})\n`,
        );
      });
    });

  bans
    .command('remove <ip>')
    .description('lift the ban covering an address or CIDR')
    .addOption(dbOption())
    .option('--store <url>', STORE_HELP)
    .option('--config <file>', 'a config whose store: names the store')
    .action(async (ip: string, flags: StoreFlags) => {
      const target = banTargetFor(ip);
      await withStore(flags, async (store) => {
        if (await store.removeBan(target)) process.stdout.write(`removed the ban on ${target}\n`);
        else {
          process.stdout.write(`no ban on ${target}\n`);
          process.exitCode = 1;
        }
      });
    });

  exportCommand(bans);
}

/** Why the config forbids banning `target`, or null when it does not. */
function allowlistRefusal(target: string, configFile: string): string | null {
  const file = readConfigFile(configFile);
  for (const [key, cidrs] of [
    ['allowlist', file.allowlist ?? []],
    ['trusted_proxies', file.trusted_proxies ?? []],
  ] as const) {
    const hit = new Allowlist(cidrs).overlapping(target);
    if (hit !== null) return `it touches ${hit} in ${key} of ${configFile}`;
  }
  return null;
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new BansOptionError(`${flag} ${text}: not a whole number ≥ 0`);
  return n;
}

/** Columns are as wide as the first rows need; a later, longer value just pushes its row. */
const WIDTH_SAMPLE = 1000;
const HEADER = ['TARGET', 'LEFT', 'UNTIL', 'OFFENCE', 'ORIGIN', 'THREAT', 'REASON'];

/**
 * The bans in force, streamed row by row from the store (a list of a million is never held
 * at once), waiting for a slow reader. Where rows are left over, stderr says how to see them.
 */
async function listBans(store: Store, page: { limit: number; offset: number; json: boolean }): Promise<void> {
  const now = Date.now();
  const rows = store instanceof SqliteStore ? store.bans.iterateActive(now, page) : await pagedBans(store, now, page);
  let shown = 0;
  const write = async (text: string): Promise<void> => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  if (page.json) {
    for (const b of rows) {
      await write(`${JSON.stringify(b)}\n`);
      shown++;
    }
  } else {
    // Read with next(), not for…break: breaking out of for…of would close the row iterator.
    const first: string[][] = [];
    while (first.length < WIDTH_SAMPLE) {
      const r = rows.next();
      if (r.done) break;
      first.push(cells(r.value, now));
    }
    if (first.length === 0 && page.offset === 0) {
      process.stdout.write('no bans in force\n');
      return;
    }
    const widths = HEADER.map((h) => h.length);
    for (const r of first) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, (r[i] ?? '').length);
    const line = (c: string[]) =>
      `${c
        .map((x, i) => x.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`;
    await write(line(HEADER));
    for (const r of first) await write(line(r));
    shown = first.length;
    for (const b of rows) {
      await write(line(cells(b, now)));
      shown++;
    }
  }
  const total = await store.countActiveBans(now);
  const left = total - page.offset - shown;
  if (page.limit > 0 && left > 0)
    process.stderr.write(
      `${shown} of ${total} bans shown; ${left} more: --offset ${page.offset + shown} for the next page, --all for every one\n`,
    );
}

function cells(b: Ban, now: number): string[] {
  return [
    b.target,
    formatDuration(b.until - now),
    new Date(b.until).toISOString(),
    String(b.offence),
    b.origin,
    b.threatId ?? '-',
    b.reason,
  ];
}

function exportCommand(bans: Command): void {
  bans
    .command('export')
    .description('print the bans as an nftables script, so the kernel drops a flood before node accepts it')
    .requiredOption('--nft', 'nftables format (the only one so far)')
    .option('--port <port>', "only drop connections to this TCP port (the gateway's)")
    .addOption(dbOption())
    .option('--store <url>', STORE_HELP)
    .option('--config <file>', 'a config whose store: names the store')
    .action(async (flags: StoreFlags & { port?: string }) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
        throw new Error(`--port ${flags.port}: not a TCP port`);
      await withStore(flags, async (store) => {
        const now = Date.now();
        process.stdout.write(toNftables(await store.activeBans(now), now, port !== undefined ? { port } : {}));
      });
    });
}

async function withStore(flags: StoreFlags, use: (store: Store) => Promise<void>): Promise<void> {
  const store = await openCommandStore(flags);
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

/** The bans of one page (or all) from a store that has no row iterator, read in slices. */
async function pagedBans(
  store: Store,
  now: number,
  page: { limit: number; offset: number },
): Promise<Iterator<Ban> & Iterable<Ban>> {
  const rows: Ban[] = [];
  const slice = 10_000;
  for (let offset = page.offset; ; offset += slice) {
    const want = page.limit > 0 ? Math.min(slice, page.offset + page.limit - offset) : slice;
    if (want <= 0) break;
    const got = await store.activeBans(now, { offset, limit: want });
    rows.push(...got);
    if (got.length < want) break;
  }
  return rows[Symbol.iterator]();
}
