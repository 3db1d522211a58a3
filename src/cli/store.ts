import type { Command } from 'commander';
import { openClient } from '../store/postgres/connect.js';
import { migrate, migrationStatus } from '../store/postgres/migrate.js';
import { describeStore, STORE_HELP, type StoreFlags, storeSpecOf } from './storeOption.js';

export class StoreCommandError extends Error {
  readonly code = 'E_STORE_COMMAND';
}

/**
 * `bansho store migrate | status`: the fleet database's schema. Every process that opens the
 * store migrates it anyway (under an advisory lock); `migrate` does it ahead of a rollout, and
 * `status` says what is applied, what is pending and which month partitions exist.
 */
export function register(program: Command): void {
  const store = program.command('store').description("the fleet store's schema (PostgreSQL): migrate, status");
  for (const [name, description] of [
    ['migrate', 'apply pending migrations and create the coming months’ partitions'],
    ['status', 'applied and pending migrations, month partitions'],
  ] as const) {
    store
      .command(name)
      .description(description)
      .option('--store <url>', STORE_HELP)
      .option('--config <file>', 'a config whose store: names the store')
      .option('--json', 'as one JSON object')
      .action(async (flags: Omit<StoreFlags, 'db'> & { json?: boolean }) => {
        await run(name, flags);
      });
  }
}

async function run(command: 'migrate' | 'status', flags: Omit<StoreFlags, 'db'> & { json?: boolean }): Promise<void> {
  const spec = storeSpecOf({ ...flags, db: '' });
  if (spec.kind !== 'postgres')
    throw new StoreCommandError(
      'no PostgreSQL store named: pass --store postgres://…, set BANSHO_STORE, or store: in --config (the SQLite store migrates itself on open)',
    );
  const client = openClient(spec.url);
  await client.connect();
  try {
    const applied = command === 'migrate' ? await migrate(client) : [];
    const status = await migrationStatus(client);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ store: describeStore(spec), ...status, appliedNow: applied })}\n`);
      return;
    }
    const lines = [
      `store ${describeStore(spec)}: schema version ${status.version} of ${status.latest}`,
      ...(command === 'migrate'
        ? [`applied now: ${applied.length > 0 ? applied.join(', ') : 'nothing (up to date)'}`]
        : []),
      ...status.applied.map((m) => `  ${m.version} ${m.name} (applied ${m.appliedAt})`),
      ...status.pending.map((m) => `  ${m.version} ${m.name} (pending)`),
      `month partitions: ${status.partitions.length > 0 ? status.partitions.join(', ') : 'none'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (status.pending.length > 0) process.exitCode = 2;
  } finally {
    await client.end();
  }
}
