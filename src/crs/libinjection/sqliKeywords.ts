import { readFileSync } from 'node:fs';
import { SQLI_KEYWORDS_FILE } from '../dataFiles.js';

/**
 * libinjection's keyword table (`libinjection_sqli_data.h`, v3.9.2, as ModSecurity bundles
 * it): SQL words, operators and types, each with its token type, and the fingerprints of
 * known injections (type `F`, written `0` + the fingerprint). Kept as data beside the code,
 * one `WORD<TAB>TYPE` a line, and read on first use.
 */

let table: Map<string, string> | undefined;

/** The token type of a word (uppercased as libinjection compares: ASCII a–z only), or '' when unknown. */
export function keywordType(word: string): string {
  table ??= load();
  // libinjection's comparison never matches a word holding a NUL byte.
  if (word.indexOf('\0') >= 0) return '';
  return table.get(upperAscii(word)) ?? '';
}

function load(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(SQLI_KEYWORDS_FILE, 'latin1').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) map.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return map;
}

export function upperAscii(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}
