/**
 * What a process costs, read from /proc (Linux): CPU seconds so far, its tree (a cluster's
 * primary and workers), its resident memory. Each returns null or [] where there is no /proc.
 */
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number | null {
  const split = cpuSplit(pid);
  return split === null ? null : split.user + split.system;
}

/** User and system (kernel) CPU seconds a process has used so far. */
export function cpuSplit(pid: number | undefined): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/** A process and its descendants (`serve --workers N`: the primary and its workers). */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [pid];
  }
  return [pid, ...children.flatMap((c) => processTree(c))];
}

/** Resident memory in MiB. */
export function rssMiB(pid: number | undefined): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The CPU seconds each of `pids` spends while `work` runs (NaN for one that cannot be read). */
export async function cpuDuring<T>(
  pids: readonly number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: number[] }> {
  const before = pids.map(cpuSeconds);
  const result = await work();
  const cpu = pids.map((p, i) => {
    const a = cpuSeconds(p);
    const b = before[i];
    return a === null || b === null || b === undefined ? Number.NaN : a - b;
  });
  return { result, cpu };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** The whole machine's CPU seconds so far, all cores, from /proc/stat's `cpu` line; null where there is none. */
export function machineCpu(): { user: number; system: number; softirq: number; busy: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second).
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((n) => Number(n) / 100);
    return { user: user + nice, system: system + irq, softirq, busy: user + nice + system + irq + softirq + steal };
  } catch {
    return null;
  }
}
