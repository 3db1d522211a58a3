import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `bansho` child process started from the sources (through tsx), with its output so far. */
export interface BanshoProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

export interface StartOptions {
  readonly cwd?: string;
  /** Bytes for standard input; without them it is closed at once. */
  readonly stdin?: Uint8Array;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Start `bansho ARGS…` and keep collecting what it prints. */
export function startBansho(args: readonly string[], options: StartOptions = {}): BanshoProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/cli/main.ts`, ...args], {
    cwd: options.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  child.stdin.on('error', () => {}); // a command that never reads its input may close it first
  child.stdin.end(options.stdin);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    output.stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    output.stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { child, output, exited };
}

/** Run `bansho ARGS…` to completion (killed after `timeoutMs`). */
export async function bansho(
  args: readonly string[],
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<CliResult> {
  const run = startBansho(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  try {
    const code = await run.exited;
    return { code, ...run.output };
  } finally {
    clearTimeout(timer);
  }
}

/** The port a `bansho serve` child reports in its start-up line (`guarding … on http://127.0.0.1:PORT`). */
export function listeningPort(stderr: string): number | undefined {
  const m = / on http:\/\/[^ ]+:(\d+) /.exec(stderr);
  return m ? Number(m[1]) : undefined;
}
