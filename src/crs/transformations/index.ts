import {
  base64Decode,
  base64DecodeExt,
  hexDecode,
  hexEncode,
  length,
  md5,
  sha1,
  utf8toUnicode,
} from './byteTransforms.js';
import { htmlEntityDecode } from './entityDecoding.js';
import { cssDecode, escapeSeqDecode, jsDecode, sqlHexDecode } from './escapeDecoding.js';
import { normalizePath, normalizePathWin } from './pathTransforms.js';
import {
  cmdLine,
  compressWhitespace,
  lowercase,
  removeCommentsChar,
  removeNulls,
  removeWhitespace,
  replaceComments,
  replaceNulls,
  trim,
  trimLeft,
  trimRight,
} from './textTransforms.js';
import { TRIGGER } from './trigger.js';
import { urlDecode, urlDecodeUni } from './urlDecoding.js';

/**
 * Every SecLang transformation this engine knows (`t:NAME`), keyed by its lowercase name since
 * SecLang names are case-insensitive (CRS writes both `base64Decode` and `base64decode`).
 * Each maps a byte string (one latin1 character a byte) to a byte string.
 */
const BY_NAME = {
  urldecode: urlDecode,
  urldecodeuni: urlDecodeUni,
  htmlentitydecode: htmlEntityDecode,
  jsdecode: jsDecode,
  cssdecode: cssDecode,
  escapeseqdecode: escapeSeqDecode,
  sqlhexdecode: sqlHexDecode,
  base64decode: base64Decode,
  base64decodeext: base64DecodeExt,
  hexencode: hexEncode,
  hexdecode: hexDecode,
  sha1,
  md5,
  length,
  utf8tounicode: utf8toUnicode,
  lowercase,
  compresswhitespace: compressWhitespace,
  removewhitespace: removeWhitespace,
  removenulls: removeNulls,
  replacenulls: replaceNulls,
  replacecomments: replaceComments,
  removecommentschar: removeCommentsChar,
  cmdline: cmdLine,
  normalizepath: normalizePath,
  normalisepath: normalizePath,
  normalizepathwin: normalizePathWin,
  normalisepathwin: normalizePathWin,
  trim,
  trimleft: trimLeft,
  trimright: trimRight,
} as const satisfies Record<string, (input: string) => string>;

export type TransformationName = keyof typeof BY_NAME;

export function transformationByName(name: string): TransformationName | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(BY_NAME, key) ? (key as TransformationName) : undefined;
}

export function applyTransformation(name: TransformationName, input: string): string {
  return BY_NAME[name](input);
}

const T = TRIGGER;
const BLANK = T.whitespace | T.space;

/** What each transformation reacts to (see inspectedValue.ts). */
const TRIGGERS: Readonly<Record<TransformationName, number>> = {
  urldecode: T.urlEscape,
  urldecodeuni: T.urlEscape,
  htmlentitydecode: T.ampersand,
  jsdecode: T.backslash,
  cssdecode: T.backslash,
  escapeseqdecode: T.backslash,
  sqlhexdecode: T.hexLiteral,
  base64decode: T.always,
  base64decodeext: T.always,
  hexencode: T.always,
  hexdecode: T.always,
  sha1: T.always,
  md5: T.always,
  length: T.always,
  utf8tounicode: T.nonAscii,
  lowercase: T.upper,
  compresswhitespace: BLANK,
  removewhitespace: BLANK,
  removenulls: T.nul,
  replacenulls: T.nul,
  replacecomments: T.comment,
  removecommentschar: T.comment,
  cmdline: BLANK | T.backslash | T.shellQuote | T.upper,
  normalizepath: T.path,
  normalisepath: T.path,
  normalizepathwin: T.path,
  normalisepathwin: T.path,
  trim: BLANK,
  trimleft: BLANK,
  trimright: BLANK,
};

export function triggerMask(name: TransformationName): number {
  return TRIGGERS[name];
}
