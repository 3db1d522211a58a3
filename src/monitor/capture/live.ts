import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Frame } from './frame.js';
import { readCapture } from './source.js';

export type LiveCaptureErrorCode =
  | 'E_TCPDUMP_MISSING'
  | 'E_CAPTURE_PERMISSION'
  | 'E_CAPTURE_INTERFACE'
  | 'E_CAPTURE_FAILED';

export class LiveCaptureError extends Error {
  readonly code: LiveCaptureErrorCode;

  constructor(code: LiveCaptureErrorCode, message: string) {
    super(message);
    this.name = 'LiveCaptureError';
    this.code = code;
  }
}

export interface LiveCaptureOptions {
  readonly iface: string;
  /** A BPF filter expression, passed to tcpdump as it is. */
  readonly filter?: string;
  /** Path of tcpdump (default: found on PATH). */
  readonly tcpdump?: string;
  /** Called once tcpdump reports it is listening. */
  readonly onListening?: () => void;
  /**
   * Kernel capture buffer in KiB (tcpdump `-B`). libpcap's 2 MiB default holds only about 30
   * loopback-sized frames, so a busy host drops packets before tcpdump reads them.
   */
  readonly bufferKiB?: number;
}

export const DEFAULT_BUFFER_KIB = 32 * 1024;

export interface LiveCaptureResult {
  readonly frames: number;
  /** Packets the kernel dropped because the capture buffer was full (tcpdump's own count). */
  readonly droppedByKernel: number;
}

export interface LiveCapture {
  /** Resolves when the capture ends (after `stop()`); rejects on failure. */
  readonly done: Promise<LiveCaptureResult>;
  /** Ask tcpdump to finish (SIGINT): it flushes what it has, and `done` resolves. */
  stop(): void;
}

/**
 * Live capture without a native addon: Debian's tcpdump writes pcap to a pipe
 * (`--immediate-mode -U -w -`) and our reader parses it as it arrives.
 */
export function startLiveCapture(options: LiveCaptureOptions, onFrame: (frame: Frame) => void): LiveCapture {
  const bufferKiB = options.bufferKiB ?? DEFAULT_BUFFER_KIB;
  const args = ['--immediate-mode', '-U', '-B', String(bufferKiB), '-w', '-', '-i', options.iface];
  if (options.filter) args.push(options.filter);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(options.tcpdump ?? 'tcpdump', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stopping = false;
  let onListening = options.onListening;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    // Bounded; the end is kept, since the exit statistics and errors come last.
    stderr = (stderr + d).slice(-8192);
    if (onListening && /listening on/.test(stderr)) {
      const cb = onListening;
      onListening = undefined;
      cb();
    }
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new LiveCaptureError('E_TCPDUMP_MISSING', 'tcpdump not found: install it (Debian: apt-get install tcpdump)')
          : new LiveCaptureError('E_CAPTURE_FAILED', `cannot start tcpdump: ${err.message}`),
      );
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const done = (async () => {
    await spawned;
    let count = 0;
    let readError: unknown = null;
    try {
      count = await readCapture(child.stdout, onFrame);
    } catch (err) {
      readError = err;
    }
    const code = await exited;
    if (code !== 0 && !stopping) throw describeFailure(stderr, code);
    // tcpdump killed before it wrote a header leaves an empty stream: that is a clean stop.
    if (readError && !(stopping && count === 0)) throw readError;
    return { frames: count, droppedByKernel: droppedByKernel(stderr) };
  })();
  return {
    done,
    stop() {
      stopping = true;
      if (child.exitCode === null) child.kill('SIGINT');
    },
  };
}

/** tcpdump's exit statistics: `N packets dropped by kernel`. */
export function droppedByKernel(stderr: string): number {
  const m = /(\d+) packets? dropped by kernel/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

function describeFailure(stderr: string, code: number | null): LiveCaptureError {
  const text = stderr.trim().split('\n').slice(-3).join(' ');
  if (/permission|not permitted|Operation not permitted/i.test(stderr)) {
    return new LiveCaptureError(
      'E_CAPTURE_PERMISSION',
      `capture not permitted (${text}): run as root or give tcpdump cap_net_raw,cap_net_admin`,
    );
  }
  if (/No such device|doesn't exist|no suitable device/i.test(stderr)) {
    return new LiveCaptureError('E_CAPTURE_INTERFACE', `no such interface: ${text}`);
  }
  return new LiveCaptureError('E_CAPTURE_FAILED', `tcpdump exited with ${code}: ${text}`);
}
