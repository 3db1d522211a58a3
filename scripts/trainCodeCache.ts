/**
 * The V8 code cache of the CLI's CommonJS bundle (dist/cli/main.cjs.KEY.cache, read by
 * bin/loadCli.js), made by running the built CLI as users do: each run starts from the cache the
 * run before wrote and writes it again as it ends, with every function compiled so far, so a
 * later start compiles none of them. Runs with plain `node`: a start under other flags finds no
 * cache of its key and loads the ES module bundle as before.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../bench/monitor.js';

/** A page, a scan and a probe: the analyzer's detection paths. */
const LOG = [
  '203.0.113.7 - - [10/Oct/2025:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "-" "Mozilla/5.0"',
  '203.0.113.8 - - [10/Oct/2025:13:55:37 +0000] "GET /?id=1%27%20OR%201=1-- HTTP/1.1" 403 0 "-" "sqlmap/1.7"',
  '203.0.113.8 - - [10/Oct/2025:13:55:38 +0000] "GET /.env HTTP/1.1" 404 0 "-" "curl/8.0"',
  '',
].join('\n');

export function trainCodeCache(root: string, outdir: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-train-'));
  try {
    const capture = join(dir, 'train.pcap');
    const log = join(dir, 'access.log');
    generate(capture, 2000);
    writeFileSync(log, LOG);
    // The analyzer first: functions that a later run does not call may lose their bytecode to
    // the garbage collector before the cache is written, and the monitor's start matters most.
    const runs = [
      ['analyze', '--no-progress', '--db', join(dir, 'train.db'), log],
      ['monitor', '--no-store', '-r', capture],
      ['monitor', '--no-store', '--json', '-r', capture],
      ['--help'],
    ];
    for (const args of runs) run(root, args);
    if (!readdirSync(outdir).some((f) => /^main\.cjs\.\w+\.cache$/.test(f)))
      throw new Error('training wrote no code cache');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(root: string, args: string[]): void {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bansho.js'), ...args], {
    cwd: root,
    env: { ...process.env, BANSHO_TRAIN_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`training run \`bansho ${args.join(' ')}\` failed: ${r.stderr.slice(0, 1000)}`);
}
