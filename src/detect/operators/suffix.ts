import { lazySet } from './lazySet.js';
import type { ValueTest } from './types.js';

/** `suffix`: some value ends with any of the literals (a trie of reversed literals). `validated`: see ./lazySet.ts. */
export function compileSuffix(literals: readonly string[], validated = false): ValueTest {
  const set = lazySet(literals, validated);
  return (values) => {
    const s = set();
    for (const v of values) if (s.endsWithAny(v)) return v;
    return undefined;
  };
}
