import { lazySet } from './lazySet.js';
import type { ValueTest } from './types.js';

/** `prefix`: some value starts with any of the literals (one trie walk, not a loop of startsWith). `validated`: see ./lazySet.ts. */
export function compilePrefix(literals: readonly string[], validated = false): ValueTest {
  const set = lazySet(literals, validated);
  return (values) => {
    const s = set();
    for (const v of values) if (s.startsWithAny(v)) return v;
    return undefined;
  };
}
