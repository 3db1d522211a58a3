import { type Bounds, type ValueTest, withinBounds } from './types.js';

/** `count`: the number of values (headers, arguments …) is within [min, max]; evidence is the count. */
export function compileCount(bounds: Bounds): ValueTest {
  return (values) => (withinBounds(values.length, bounds) ? String(values.length) : undefined);
}
