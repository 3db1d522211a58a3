import { CrsError, type SourceLocation } from './errors.js';

/** One `name:value` item of a SecLang action list, the value unquoted. */
export interface RawAction {
  readonly name: string;
  /** Undefined for flags such as `chain`, `pass`, `capture`. */
  readonly value: string | undefined;
}

/**
 * Splits `id:1,phase:2,msg:'a, b',setvar:'tx.x=+%{tx.y}'` into its actions. A value in single
 * quotes may hold commas; `\'` inside it is a quote (ModSecurity's own parser rules).
 */
export function parseActionList(text: string, where: SourceLocation): RawAction[] {
  const out: RawAction[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ',' || isBlank(text[i] as string))) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && text[j] !== ':' && text[j] !== ',') j++;
    const name = text.slice(i, j).trim();
    if (name === '') throw new CrsError('E_CRS_SYNTAX', where, `empty action name in ${JSON.stringify(text)}`);
    if (j >= n || text[j] === ',') {
      out.push({ name, value: undefined });
      i = j + 1;
      continue;
    }
    j++;
    while (j < n && isBlank(text[j] as string)) j++;
    if (text[j] === "'") {
      let value = '';
      let k = j + 1;
      for (;;) {
        if (k >= n) throw new CrsError('E_CRS_SYNTAX', where, `unterminated quote in action ${name}`);
        const c = text[k] as string;
        if (c === '\\' && text[k + 1] === "'") {
          value += "'";
          k += 2;
        } else if (c === "'") break;
        else {
          value += c;
          k++;
        }
      }
      out.push({ name, value });
      i = k + 1;
    } else {
      let k = j;
      while (k < n && text[k] !== ',') k++;
      out.push({ name, value: text.slice(j, k).trim() });
      i = k + 1;
    }
  }
  return out;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
