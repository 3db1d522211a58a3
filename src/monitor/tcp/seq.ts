/** 32-bit sequence-number arithmetic (RFC 1982): comparisons that survive wrap-around. */

export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
