import type { ValueTest } from './types.js';

/**
 * `in-list`: some value, lower-cased, is in a named list supplied by the configuration at
 * compile time (the site's own host names, an allowlist …). A list nobody supplied is empty.
 */
export function compileInList(list: readonly string[]): ValueTest {
  const set = new Set(list.map((s) => s.toLowerCase()));
  return (values) => {
    for (const v of values) if (set.has(v.toLowerCase())) return v;
    return undefined;
  };
}
