import { lazySet } from './lazySet.js';
import type { ValueTest } from './types.js';

/**
 * `contains`: some value contains any of the literals; one Aho–Corasick pass per value.
 * `validated`: see ./lazySet.ts.
 */
export function compileContains(literals: readonly string[], validated = false): ValueTest {
  const set = lazySet(literals, validated);
  return (values) => {
    const s = set();
    for (const v of values) if (v.length >= s.minLength && s.findIn(v) !== undefined) return v;
    return undefined;
  };
}
