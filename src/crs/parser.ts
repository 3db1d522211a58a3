import { CrsError, type SourceLocation } from './errors.js';

/**
 * A SecLang configuration file read the way Apache reads it (ModSecurity v2's host): lines
 * ending in a backslash continue on the next, `#` starts a comment line, and arguments are
 * separated by blanks, optionally in double or single quotes where only `\"` (or `\'`) is an
 * escape — every other backslash is kept, since regexes need theirs.
 */
export interface Directive {
  /** The directive's name as written (`SecRule`). */
  readonly name: string;
  readonly args: readonly string[];
  readonly where: SourceLocation;
}

export function parseConfig(text: string, file: string): Directive[] {
  const out: Directive[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = lines[i] as string;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i++;
      logical = logical.slice(0, -1) + (lines[i] as string);
    }
    const trimmed = logical.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const where = { file, line: startLine };
    const words = splitWords(trimmed, where);
    const [name, ...args] = words;
    if (name === undefined) continue;
    out.push({ name, args, where });
  }
  return out;
}

function splitWords(line: string, where: SourceLocation): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let word = '';
      let j = i + 1;
      for (;;) {
        if (j >= line.length) throw new CrsError('E_CRS_SYNTAX', where, `unterminated ${c}-quoted argument`);
        const d = line[j] as string;
        if (d === '\\' && line[j + 1] === c) {
          word += c;
          j += 2;
        } else if (d === c) break;
        else {
          word += d;
          j++;
        }
      }
      words.push(word);
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    words.push(line.slice(i, j));
    i = j;
  }
  return words;
}
