import { LiteralSet } from '../literalSet.js';

/**
 * The LiteralSet of an operator's literals, made now, or for a validated rule (compiled before:
 * the build's copy, a snapshot, so its literals are known to make a set) at the first test: a
 * run evaluates few of its rules, and making every set was most of compiling the rules at the
 * first request a fresh `bansho monitor` judges. A set that cannot be made (a literal beyond
 * latin1) throws now, where the rule is compiled, unless validated.
 */
export function lazySet(literals: readonly string[], validated: boolean): () => LiteralSet {
  let set = validated ? undefined : new LiteralSet(literals);
  return () => {
    set ??= new LiteralSet(literals);
    return set;
  };
}
