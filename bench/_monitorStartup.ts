/**
 * The monitor bench's start-up table: `bansho monitor -r` on a small and an empty capture beside
 * tshark, tcpdump and node doing nothing, timed by hyperfine.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface StartUpFiles {
  /** A capture with no packet. */
  readonly empty: string;
  /** One round of visits: the first HTTP request and datagram compile the rules they need. */
  readonly small: string;
  readonly smallPackets: number;
}

/**
 * Start-up, measured by hyperfine (which runs each command many times, without a shell): bansho
 * on the small capture beside tshark and tcpdump on the same file, and node doing nothing.
 * Wall clock is the median; CPU is hyperfine's mean user + system time.
 */
export function startUp(
  bansho: readonly string[],
  files: StartUpFiles,
  skipped: readonly string[],
  runs: number,
): StartUpCpu | null {
  const node = process.execPath;
  const quote = (args: readonly string[]): string => args.map((a) => `'${a}'`).join(' ');
  const commands: Array<{ name: string; command: string }> = [
    {
      name: `bansho monitor -r (${files.smallPackets} packets, HTTP: rules loaded)`,
      command: quote([node, ...bansho, files.small]),
    },
    { name: 'bansho monitor -r (no packet)', command: quote([node, ...bansho, files.empty]) },
    { name: 'node -e 0', command: quote([node, '-e', '0']) },
  ];
  if (!skipped.some((s) => s.startsWith('tshark')))
    commands.push({ name: 'tshark -r', command: quote(['tshark', '-r', files.small]) });
  if (!skipped.some((s) => s.startsWith('tcpdump')))
    commands.push({ name: 'tcpdump -nn -r', command: quote(['tcpdump', '-nn', '-r', files.small]) });
  if (!installed('hyperfine', '--version')) {
    console.log('\nstart-up: skipped (hyperfine not installed: apt-get install hyperfine)');
    return null;
  }
  const json = join(dirname(files.small), 'startup.json');
  const r = spawnSync(
    'hyperfine',
    ['-N', '--warmup', '2', '--runs', String(runs), '--export-json', json, ...commands.map((c) => c.command)],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: startUpEnv() },
  );
  if (r.status !== 0) throw new Error(`hyperfine exited ${r.status}`);
  const results = (JSON.parse(readFileSync(json, 'utf8')) as { results: HyperfineResult[] }).results;
  const byName = (name: string): HyperfineResult | undefined => results[commands.findIndex((c) => c.name === name)];
  const tshark = byName('tshark -r');
  const tcpdump = byName('tcpdump -nn -r');
  const ratio = (peer: number | undefined, mine: number): string => (peer ? `${(peer / mine).toFixed(2)}×` : 'n/a');
  console.log(`\nstart-up on the small capture (hyperfine, ${runs} runs; goal ≤ 0.15 s):\n`);
  if (process.env.NODE_EXTRA_CA_CERTS)
    console.log(
      'NODE_EXTRA_CA_CERTS is set in this environment: every Node process would parse that certificate file ' +
        'at start (tens of ms, before any of its code runs); these runs are without it, as on a machine that does not set it.\n',
    );
  console.log('| command | wall ms (median) | CPU ms | × tshark (wall) | × tcpdump -nn (wall) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [k, c] of commands.entries()) {
    const t = results[k] as HyperfineResult;
    console.log(
      `| ${c.name} | ${(t.median * 1000).toFixed(0)} | ${((t.user + t.system) * 1000).toFixed(0)} | ` +
        `${ratio(tshark?.median, t.median)} | ${ratio(tcpdump?.median, t.median)} |`,
    );
  }
  const cpu = (t: HyperfineResult | undefined): number => (t ? t.user + t.system : 0);
  return { smallCpu: cpu(results[0]), nodeCpu: cpu(results[2]) };
}

/** CPU seconds of a start: bansho's with its rules compiled (the small capture), and node's doing nothing. */
export interface StartUpCpu {
  readonly smallCpu: number;
  readonly nodeCpu: number;
}

/**
 * The environment the start-up runs get: this one without NODE_EXTRA_CA_CERTS, which some
 * machines set for every process and which makes Node read a certificate bundle before main().
 */
export function startUpEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** What hyperfine's --export-json gives per command (seconds). */
interface HyperfineResult {
  readonly median: number;
  readonly user: number;
  readonly system: number;
}

export function installed(tool: string, arg: string): boolean {
  return !spawnSync(tool, [arg], { stdio: 'ignore' }).error;
}
