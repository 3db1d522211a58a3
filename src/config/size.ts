/** Sizes in config files: `512`, `64KiB`, `64k`, `1MiB`, `1m` (binary units either way). */

export class SizeError extends Error {
  readonly code = 'E_SIZE';
}

const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2 };

const SIZE_RE = /^(\d+)\s*(b|k|kib|m|mib)?$/i;

export function parseSize(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isInteger(text) && text >= 0) return text;
    throw new SizeError(`invalid size ${text}`);
  }
  const m = SIZE_RE.exec(text.trim());
  if (!m) throw new SizeError(`invalid size "${text}" (use e.g. 4096, 64KiB, 1MiB)`);
  return Number(m[1]) * (UNIT_BYTES[(m[2] ?? '').toLowerCase()] as number);
}
