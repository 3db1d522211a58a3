import { readFileSync } from 'node:fs';
import { Command } from 'commander';

/**
 * The `bansho` command. Each subcommand lives in its own file under `cli/` and exports
 * `register(program)`; this file only wires them together.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('bansho')
    .description('A guardhouse for web servers: gateway, packet monitor, log analyzer, threat catalog')
    .version(packageVersion())
    .showHelpAfterError();
  for (const load of SUBCOMMANDS) (await load()).register(program);
  await program.parseAsync([...argv]);
}

type Registrar = { register(program: Command): void };

/** Loaded lazily so one command never pays for another's start-up. */
const SUBCOMMANDS: ReadonlyArray<() => Promise<Registrar>> = [
  () => import('./serve.js'),
  () => import('./bans.js'),
  () => import('./demo.js'),
  () => import('./analyze.js'),
  () => import('./report.js'),
  () => import('./monitor.js'),
  () => import('./rules.js'),
  () => import('./threats.js'),
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
