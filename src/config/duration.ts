/** Durations in config files and flags: `500ms`, `30s`, `10m`, `1h`, `7d`, `2w`. */

export class DurationError extends Error {
  readonly code = 'E_DURATION';
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text * 1000;
    throw new DurationError(`invalid duration ${text}`);
  }
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new DurationError(`invalid duration "${text}" (use e.g. 500ms, 30s, 10m, 1h, 7d)`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
}

/** `90061000` → `1d1h1m1s`; for messages and `bans list`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
