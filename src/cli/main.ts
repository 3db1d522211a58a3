import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { endQuietlyWhenOutputCloses } from './outputClosed.js';

/**
 * The `bansho` command. Each subcommand lives in its own file under `cli/` and exports
 * `register(program)`; this file only wires them together.
 */
export async function main(argv: readonly string[]): Promise<void> {
  endQuietlyWhenOutputCloses();
  const program = new Command('bansho')
    .description('A guardhouse for web servers: gateway, packet monitor, log analyzer, threat catalog')
    .version(packageVersion())
    .showHelpAfterError();
  // A named subcommand loads alone; help, --version and typos need every one to list them.
  const named = SUBCOMMANDS.find((s) => s.name === argv[2]);
  for (const s of named ? [named] : SUBCOMMANDS) (await s.load()).register(program);
  await program.parseAsync([...argv]);
}

type Registrar = { register(program: Command): void };

/** Loaded lazily so one command never pays for another's start-up (the gateway's HTTP client, YAML, SQLite). */
const SUBCOMMANDS: ReadonlyArray<{ name: string; load: () => Promise<Registrar> }> = [
  { name: 'serve', load: () => import('./serve.js') },
  { name: 'bans', load: () => import('./bans.js') },
  { name: 'demo', load: () => import('./demo.js') },
  { name: 'analyze', load: () => import('./analyze.js') },
  { name: 'report', load: () => import('./report.js') },
  { name: 'monitor', load: () => import('./monitor.js') },
  { name: 'rules', load: () => import('./rules.js') },
  { name: 'threats', load: () => import('./threats.js') },
  { name: 'dashboard', load: () => import('./dashboard.js') },
  { name: 'source', load: () => import('./source.js') },
  { name: 'abuse', load: () => import('./abuse.js') },
  { name: 'honeypot', load: () => import('./honeypot.js') },
  { name: 'store', load: () => import('./store.js') },
];

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`bansho: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
