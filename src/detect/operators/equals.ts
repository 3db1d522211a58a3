import type { ValueTest } from './types.js';

/** `equals`: some value is exactly one of the given strings (an in-set test by hash lookup). */
export function compileEquals(values: readonly string[]): ValueTest {
  const set = new Set(values);
  return (fieldValues) => {
    for (const v of fieldValues) if (set.has(v)) return v;
    return undefined;
  };
}
