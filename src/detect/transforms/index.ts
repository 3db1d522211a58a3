import { compressWhitespace } from './compressWhitespace.js';
import { htmlEntityDecode } from './htmlEntityDecode.js';
import { lowercase } from './lowercase.js';
import { normalizePath } from './normalizePath.js';
import { removeNulls } from './removeNulls.js';
import { removeWhitespace } from './removeWhitespace.js';
import { unicodeFold } from './unicodeFold.js';
import { urlDecode } from './urlDecode.js';

/** Transformations a rule may apply, in the order it lists them, before its operator runs (as CRS does). */
export const TRANSFORMS = {
  urlDecode,
  lowercase,
  normalizePath,
  removeNulls,
  htmlEntityDecode,
  compressWhitespace,
  removeWhitespace,
  unicodeFold,
} as const satisfies Record<string, (value: string) => string>;

export type TransformName = keyof typeof TRANSFORMS;

export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as [TransformName, ...TransformName[]];

export function applyTransforms(value: string, names: readonly TransformName[]): string {
  let out = value;
  for (const name of names) out = TRANSFORMS[name](out);
  return out;
}
