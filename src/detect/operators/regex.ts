import { compileRegex } from '../regex.js';
import type { ValueTest } from './types.js';

/** `regex`: some value matches an RE2 pattern (linear time; see ../regex.ts). */
export function compileRegexOperator(pattern: string, caseless: boolean): ValueTest {
  const re = compileRegex(pattern, { caseInsensitive: caseless });
  return (values) => {
    for (const v of values) if (re.test(v)) return v;
    return undefined;
  };
}
