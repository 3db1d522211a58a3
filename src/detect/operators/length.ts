import { type Bounds, type ValueTest, withinBounds } from './types.js';

/** `length`: some value's length (after transformations) is within [min, max]. */
export function compileLength(bounds: Bounds): ValueTest {
  return (values) => {
    for (const v of values) if (withinBounds(v.length, bounds)) return v;
    return undefined;
  };
}
