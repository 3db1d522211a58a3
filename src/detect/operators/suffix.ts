import { LiteralSet } from '../literalSet.js';
import type { ValueTest } from './types.js';

/** `suffix`: some value ends with any of the literals (a trie of reversed literals). */
export function compileSuffix(literals: readonly string[]): ValueTest {
  const set = new LiteralSet(literals);
  return (values) => {
    for (const v of values) if (set.endsWithAny(v)) return v;
    return undefined;
  };
}
