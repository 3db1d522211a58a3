import type { TransformName } from './index.js';

/**
 * When a transformation certainly leaves a value alone, as far as the prefilter's caseless
 * (ASCII-folding) scan can tell: most request values are plain ASCII without escapes, and for
 * them every chain yields the raw value again, so one scan of the raw value stands for the
 * scans of all its transformed forms.
 *
 * A value is left alone by a transformation when it contains none of its `characters`, none of
 * its `substrings`, does not start with one of `leading`, and, if `asciiOnly`, no character above
 * U+007F. `lowercase` counts as leaving ASCII alone since the scan folds ASCII case itself.
 * These lists must follow the transformations' code: test/detect/identityGuards.test.ts checks
 * them against it on random values.
 */
export interface IdentityGuard {
  readonly characters: string;
  readonly substrings: readonly string[];
  /** Characters the value must not start with. */
  readonly leading: string;
  readonly asciiOnly: boolean;
}

const ASCII_WHITESPACE = '\t\n\v\f\r';

export const IDENTITY_GUARDS: Readonly<Record<TransformName, IdentityGuard>> = {
  urlDecode: { characters: '%+', substrings: [], leading: '', asciiOnly: false },
  lowercase: { characters: '', substrings: [], leading: '', asciiOnly: true },
  normalizePath: { characters: '\\', substrings: ['/.', '//'], leading: '.', asciiOnly: false },
  removeNulls: { characters: '\0', substrings: [], leading: '', asciiOnly: false },
  htmlEntityDecode: { characters: '&', substrings: [], leading: '', asciiOnly: false },
  compressWhitespace: { characters: ASCII_WHITESPACE, substrings: ['  '], leading: '', asciiOnly: true },
  removeWhitespace: { characters: `${ASCII_WHITESPACE} `, substrings: [], leading: '', asciiOnly: true },
  unicodeFold: { characters: '', substrings: [], leading: '', asciiOnly: true },
};

/** The guards of several transformations at once: a value passing it is left alone by every one. */
export function combinedGuard(names: Iterable<TransformName>): IdentityGuard {
  const characters = new Set<string>();
  const substrings = new Set<string>();
  const leading = new Set<string>();
  let asciiOnly = false;
  for (const name of names) {
    const g = IDENTITY_GUARDS[name];
    for (const c of g.characters) characters.add(c);
    for (const s of g.substrings) substrings.add(s);
    for (const c of g.leading) leading.add(c);
    asciiOnly ||= g.asciiOnly;
  }
  return {
    characters: [...characters].join(''),
    substrings: [...substrings],
    leading: [...leading].join(''),
    asciiOnly,
  };
}
