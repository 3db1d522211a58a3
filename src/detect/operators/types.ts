/**
 * A compiled operator: given all values of one field (already transformed), the value that
 * satisfied it, or undefined. Returning the value lets a match show its evidence.
 */
export type ValueTest = (values: readonly string[]) => string | undefined;

export interface Bounds {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

export function withinBounds(n: number, bounds: Bounds): boolean {
  return (bounds.min === undefined || n >= bounds.min) && (bounds.max === undefined || n <= bounds.max);
}
