import type { Argument } from './urlencoded.js';

/**
 * A JSON body into arguments the way ModSecurity v2's JSON processor names them: an object
 * member is `parent.key`, an array element takes its array's name, scalars are their text
 * (`true`, `12.5`, '' for null). Nesting deeper than `MAX_DEPTH` is an error (ModSecurity's
 * SecRequestBodyJsonDepthLimit), and so is anything JSON.parse refuses.
 */
export const MAX_DEPTH = 512;

export type JsonResult =
  | { readonly ok: true; readonly args: Argument[] }
  | { readonly ok: false; readonly error: string };

export function parseJsonBody(body: string): JsonResult {
  let root: unknown;
  try {
    // The body is a byte string: JSON text is UTF-8, so decode it before parsing.
    root = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'));
  } catch (err) {
    return { ok: false, error: `JSON parsing error: ${(err as Error).message}` };
  }
  const args: Argument[] = [];
  // Iterative, so that a deeply nested body cannot exhaust the stack.
  const stack: Array<{ name: string; value: unknown; depth: number }> = [{ name: '', value: root, depth: 0 }];
  while (stack.length > 0) {
    const { name, value, depth } = stack.pop() as { name: string; value: unknown; depth: number };
    if (depth > MAX_DEPTH) return { ok: false, error: `JSON depth limit ${MAX_DEPTH} exceeded` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ name, value: value[i], depth: depth + 1 });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i] as [string, unknown];
        const keyBytes = utf8Bytes(key);
        stack.push({ name: name === '' ? keyBytes : `${name}.${keyBytes}`, value: member, depth: depth + 1 });
      }
    } else args.push({ name, value: value === null ? '' : utf8Bytes(String(value)) });
  }
  return { ok: true, args };
}

function utf8Bytes(text: string): string {
  return /[\x80-\uffff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}
