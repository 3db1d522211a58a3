/**
 * Which characters a value holds that some transformation acts on, one bit per kind. A
 * transformation pipeline whose bits a value lacks leaves it unchanged, and need not run; one
 * whose bits other than `upper` it lacks changes at most its ASCII case, which the caseless
 * prefilter ignores, so the prefilter's verdict on the raw value stands for the transformed
 * one. `always` marks pipelines that change every value (digests, base64, length).
 */
export const TRIGGER = {
  urlEscape: 1 << 0,
  ampersand: 1 << 1,
  backslash: 1 << 2,
  nul: 1 << 3,
  whitespace: 1 << 4,
  space: 1 << 5,
  comment: 1 << 6,
  path: 1 << 7,
  shellQuote: 1 << 8,
  nonAscii: 1 << 9,
  hexLiteral: 1 << 10,
  /** A–Z: only lowercase (and cmdLine) act on it, and the caseless prefilter does not care. */
  upper: 1 << 11,
  always: 1 << 30,
} as const;
