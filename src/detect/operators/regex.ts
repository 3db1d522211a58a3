import { minMatchLength } from '../prefilter.js';
import { compileRegex } from '../regex.js';
import type { ValueTest } from './types.js';

/**
 * `regex`: some value matches an RE2 pattern (linear time; see ../regex.ts). Values shorter than
 * the shortest possible match never reach the regex (Coraza's `minLen`).
 */
export function compileRegexOperator(pattern: string, caseless: boolean, compiledBefore = false): ValueTest {
  const re = compileRegex(pattern, { caseInsensitive: caseless, compiledBefore });
  // Worked out at the first test: many regexes sit behind prefilters that never admit a request.
  let minLength = -1;
  return (values) => {
    if (minLength < 0) minLength = minMatchLength(pattern);
    for (const v of values) if (v.length >= minLength && re.test(v)) return v;
    return undefined;
  };
}
