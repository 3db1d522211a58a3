import type { ValueTest } from './types.js';

/** `present`: the field has a value at all (a malformed-request reason, a Cookie header …). */
export function compilePresent(): ValueTest {
  return (values) => values[0];
}
