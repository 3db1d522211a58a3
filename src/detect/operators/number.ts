import { type Bounds, type ValueTest, withinBounds } from './types.js';

/** `number`: some value, read as a decimal number, is within [min, max] and/or one of `values`. */
export function compileNumber(bounds: Bounds, values: readonly number[] | undefined): ValueTest {
  const set = values === undefined ? undefined : new Set(values);
  return (fieldValues) => {
    for (const v of fieldValues) {
      const n = Number(v);
      if (v === '' || Number.isNaN(n)) continue;
      if (withinBounds(n, bounds) && (set === undefined || set.has(n))) return v;
    }
    return undefined;
  };
}
