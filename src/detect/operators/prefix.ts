import { LiteralSet } from '../literalSet.js';
import type { ValueTest } from './types.js';

/** `prefix`: some value starts with any of the literals (one trie walk, not a loop of startsWith). */
export function compilePrefix(literals: readonly string[]): ValueTest {
  const set = new LiteralSet(literals);
  return (values) => {
    for (const v of values) if (set.startsWithAny(v)) return v;
    return undefined;
  };
}
