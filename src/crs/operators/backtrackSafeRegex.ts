import { setFlagsFromString } from 'node:v8';
import { compileRegex, regexKey, type SafeRegex } from '../../detect/regex.js';
import { re2ToJs } from './re2ToJs.js';

/**
 * CRS's regexes, run by V8's own engine on short values where that is safe, by re2js (RE2)
 * otherwise.
 *
 * re2js is linear-time but, being JavaScript, takes 1–5 µs per regex and value, and a benign
 * request still reaches some fifty regexes past the prefilters. V8's backtracking engine takes
 * well under a microsecond, but alone it is exponential on hostile input. V8 has a remedy:
 * with `--enable-experimental-regexp-engine-on-excessive-backtracks` a match that backtracks
 * more than `--regexp-backtracks-before-fallback` times is finished by V8's linear-time
 * (breadth-first) engine — for every regex that engine can run. So a pattern is given to V8
 * only when (1) its RE2 syntax translates exactly into JavaScript's and (2) V8's linear engine
 * accepts it (`l` flag, with `--enable-experimental-regexp-engine`); any other pattern stays
 * with re2js. And only for values of at most `V8_MAX_LENGTH` characters: the backtrack budget
 * holds per start position of the search, so on a long hostile value V8's work still grows
 * with the square of its length (measured: 16 KiB of hostile text costs CRS's regexes 44 s on
 * V8, 2.3 s on re2js), while on short values V8 is the faster of the two even then. Values
 * longer than that go to re2js, whose time is linear in their length.
 *
 * The flags are process-wide: they change nothing for a regex that does not backtrack
 * excessively, and give every other regex of the process the same protection.
 */
const BACKTRACKS_BEFORE_LINEAR = 10_000;
/** Longest value V8 runs (see above: the crossover on hostile text is near 1 KiB). */
export const V8_MAX_LENGTH = 256;
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_LINEAR}`);

/** `v8`: V8 for values up to V8_MAX_LENGTH characters, re2js beyond; `re2js`: re2js always. */
export type RegexEngine = 'v8' | 're2js';

export interface CrsRegex extends SafeRegex {
  readonly engine: RegexEngine;
  /** How a PCRE-only pattern (CRS 3.3) was made to run on RE2, null for none needed. */
  readonly adapted: 'possessive quantifiers made greedy' | 'lookbehind (re2js, linear)' | null;
}

const NONE_KNOWN: ReadonlySet<string> = new Set();

/**
 * Compiles a pattern as ModSecurity compiles CRS's (PCRE_DOTALL) on RE2. CRS v4 is RE2
 * throughout; CRS 3.3 has a few PCRE-only patterns, adapted where the meaning survives:
 * possessive quantifiers (`*+`) become greedy ones (the same matches, barring rare patterns
 * where possessiveness makes a match fail), lookbehinds run on re2js's linear-time lookbehind
 * support. Anything else (lookaheads, backreferences) throws.
 */
export function compileCrsRegex(pattern: string, known: ReadonlySet<string> = NONE_KNOWN): CrsRegex {
  // A pattern a snapshot saw compile is compiled at its first test (see RegexOptions.compiledBefore).
  const compiledBefore = (p: string) => known.has(regexKey(p, false, true));
  try {
    return onV8WherePossible(
      pattern,
      compileRegex(pattern, { dotAll: true, compiledBefore: compiledBefore(pattern) }),
      null,
    );
  } catch (err) {
    const greedy = pattern.replace(/([*+?}])\+/g, '$1');
    if (greedy !== pattern) {
      try {
        return onV8WherePossible(
          greedy,
          compileRegex(greedy, { dotAll: true, compiledBefore: compiledBefore(greedy) }),
          'possessive quantifiers made greedy',
        );
      } catch {
        // Not that alone: try lookbehinds below on the original.
      }
    }
    if (/\(\?<[=!]/.test(pattern)) {
      try {
        const re2 = compileRegex(pattern, { dotAll: true, lookbehinds: true });
        return {
          engine: 're2js',
          adapted: 'lookbehind (re2js, linear)',
          source: pattern,
          test: re2.test,
          groups: re2.groups,
        };
      } catch {
        // Reported below with RE2's own message.
      }
    }
    throw err;
  }
}

function onV8WherePossible(pattern: string, re2: SafeRegex, adapted: CrsRegex['adapted']): CrsRegex {
  const js = re2ToJs(pattern);
  if (js !== null) {
    try {
      // Throws when V8's linear engine cannot run the pattern: then no fallback would protect it.
      new RegExp(js.source, `${js.flags}l`);
      const regex = new RegExp(js.source, js.flags);
      return {
        engine: 'v8',
        adapted,
        source: pattern,
        test: (input) => (input.length > V8_MAX_LENGTH ? re2.test(input) : regex.test(input)),
        groups: (input) => {
          if (input.length > V8_MAX_LENGTH) return re2.groups(input);
          const m = regex.exec(input);
          return m === null ? null : Array.from(m, (g) => g ?? undefined);
        },
      };
    } catch {
      // Not for V8: re2js below.
    }
  }
  return { engine: 're2js', adapted, source: pattern, test: (i) => re2.test(i), groups: (i) => re2.groups(i) };
}
