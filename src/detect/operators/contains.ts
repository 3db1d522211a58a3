import { LiteralSet } from '../literalSet.js';
import type { ValueTest } from './types.js';

/** `contains`: some value contains any of the literals; one Aho–Corasick pass per value. */
export function compileContains(literals: readonly string[]): ValueTest {
  const set = new LiteralSet(literals);
  return (values) => {
    for (const v of values) if (v.length >= set.minLength && set.findIn(v) !== undefined) return v;
    return undefined;
  };
}
