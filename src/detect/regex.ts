import { RE2JS } from 're2js';

/**
 * The one way bansho compiles a regular expression that will run on attacker input.
 * RE2 semantics (no backreferences, no lookaround) guarantee time linear in the input, so a
 * 1 MB header built to make a backtracking engine explode costs what any 1 MB header costs.
 * re2js is pure JavaScript: no native build, and measured fast enough once prefilters keep
 * most requests away from regexes (see bench/regex.ts and the issue-3 report).
 */
export interface SafeRegex {
  readonly source: string;
  test(input: string): boolean;
  /** The first match's text and capture groups (undefined for a group that took no part), or null. */
  groups(input: string): Array<string | undefined> | null;
}

export class RegexError extends Error {
  readonly code = 'E_REGEX';
}

/**
 * Counts what regexes are fed, for tests that bound the work done on hostile input (RE2's
 * time is linear in the characters it scans, so characters scanned bound the work).
 */
export interface RegexMeter {
  calls: number;
  chars: number;
}

let meter: RegexMeter | null = null;

/** Install (or remove, with null) the meter every compiled regex reports to. */
export function setRegexMeter(next: RegexMeter | null): void {
  meter = next;
}

/** A pattern with its flags as one key: what a set of patterns known to compile holds. */
export function regexKey(pattern: string, caseInsensitive: boolean, dotAll = false): string {
  return `${caseInsensitive ? 'i' : '-'}${dotAll ? 's' : '-'}${pattern}`;
}

export interface RegexOptions {
  caseInsensitive?: boolean;
  /** `.` matches a newline too (PCRE_DOTALL, as ModSecurity compiles CRS's patterns). */
  dotAll?: boolean;
  /** Allow captureless lookbehinds (re2js runs them in linear time; RE2 itself refuses them). */
  lookbehinds?: boolean;
  /**
   * Known to compile (a validated snapshot saw it compile with this re2js): compiled at its
   * first test, not now, since most regexes sit behind prefilters that may never admit a
   * request, and compiling all of a catalog's costs a CLI ~0.1 s at every start.
   */
  compiledBefore?: boolean;
}

export function compileRegex(pattern: string, options: RegexOptions = {}): SafeRegex {
  const caseInsensitive = options.caseInsensitive ?? false;
  const dotAll = options.dotAll ?? false;
  const flags =
    (caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0) |
    (dotAll ? RE2JS.DOTALL : 0) |
    (options.lookbehinds ? RE2JS.LOOKBEHINDS : 0);
  const proven = !options.lookbehinds && options.compiledBefore === true;
  let compiled = proven ? null : build(pattern, flags);
  const count = (input: string) => {
    if (meter !== null) {
      meter.calls++;
      meter.chars += input.length;
    }
  };
  return {
    source: pattern,
    test: (input) => {
      count(input);
      compiled ??= build(pattern, flags);
      return compiled.test(input);
    },
    groups: (input) => {
      count(input);
      compiled ??= build(pattern, flags);
      const m = compiled.matcher(input);
      if (!m.find()) return null;
      const out: Array<string | undefined> = [];
      for (let g = 0; g <= m.groupCount(); g++) out.push(m.group(g) ?? undefined);
      return out;
    },
  };
}

function build(pattern: string, flags: number): RE2JS {
  try {
    return RE2JS.compile(pattern, flags);
  } catch (err) {
    throw new RegexError(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}
