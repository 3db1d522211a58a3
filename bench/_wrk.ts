/**
 * wrk, the load generator the figures come from, run once and its report read: requests/s,
 * p99 latency, requests done, and the CPU seconds wrk itself spent (it shares the cores with
 * what it measures). `hasWrk()` lets a bench skip with a message where it is missing.
 */
import { execFile, spawnSync } from 'node:child_process';

export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  /** Milliseconds. */
  readonly p99: number;
  /** Connect/read/write errors and non-2xx answers together. */
  readonly errors: number;
  /** Requests unanswered after wrk's 2 s (on a loaded machine, slow is not wrong). */
  readonly timeouts: number;
  /** wrk's own user + system CPU seconds; null where /proc cannot tell. */
  readonly cpuSeconds: number | null;
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

/** The shell that runs wrk prints its own /proc stat after it: cutime + cstime are wrk's CPU. */
const WITH_CPU = 'wrk "$@"; echo; echo "cpu-stat: $(cat /proc/$$/stat)"';

/** `headers`: extra request header lines (`Name: value`), as a browser would send. */
export function wrk(
  url: string,
  seconds: number,
  connections: number,
  headers: readonly string[] = [],
): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', WITH_CPU, 'sh', ...args],
      { encoding: 'utf8', timeout: (seconds + 30) * 1000 },
      (err, out) => {
        if (err) return reject(new Error(`wrk ${args.join(' ')}: ${err.message}`));
        const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
        const requests = /(\d+) requests in/.exec(out);
        const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
        if (!rps || !requests || !p99) return reject(new Error(`wrk: unexpected report:\n${out}`));
        const unit = p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1;
        const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
        const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
        const errors =
          (socketErrors ? socketErrors.slice(1, 4).reduce((a, b) => a + Number(b), 0) : 0) + Number(non2xx?.[1] ?? 0);
        resolve({
          rps: Number(rps[1]),
          requests: Number(requests[1]),
          p99: Number(p99[1]) * unit,
          errors,
          timeouts: Number(socketErrors?.[4] ?? 0),
          cpuSeconds: childCpu(out),
        });
      },
    );
  });
}

/** cutime + cstime (fields 16 and 17 of /proc/PID/stat) of the shell, in seconds. */
function childCpu(out: string): number | null {
  const stat = /cpu-stat: (.*)$/m.exec(out)?.[1];
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[13]) + Number(fields[14])) / 100;
  return Number.isFinite(cpu) ? cpu : null;
}
