/**
 * SecLang macro expansion: `%{tx.critical_anomaly_score}`, `%{MATCHED_VAR}`,
 * `%{REQUEST_HEADERS.User-Agent}`, `%{rule.id}`. A text is split once, at load, into literal
 * pieces and references, so expanding it per request is a join.
 */
export type MacroPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ref'; readonly collection: string; readonly key: string | undefined };

export interface Macro {
  readonly parts: readonly MacroPart[];
  /** The text when it holds no reference (most operator arguments). */
  readonly constant: string | undefined;
}

/** Whatever can answer a reference: the transaction. */
export interface MacroScope {
  /** The first value of `COLLECTION` or `COLLECTION.key`, '' when there is none. */
  resolve(collection: string, key: string | undefined): string;
}

const REFERENCE = /%\{([^}]+)\}/g;

export function parseMacro(text: string): Macro {
  const parts: MacroPart[] = [];
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: text.slice(last, at) });
    const body = m[1] as string;
    const dot = body.indexOf('.');
    parts.push(
      dot < 0
        ? { kind: 'ref', collection: body.toUpperCase(), key: undefined }
        : { kind: 'ref', collection: body.slice(0, dot).toUpperCase(), key: body.slice(dot + 1) },
    );
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  const constant = parts.every((p) => p.kind === 'text') ? text : undefined;
  return { parts, constant };
}

export function expandMacro(macro: Macro, scope: MacroScope): string {
  if (macro.constant !== undefined) return macro.constant;
  let out = '';
  for (const p of macro.parts) out += p.kind === 'text' ? p.text : scope.resolve(p.collection, p.key);
  return out;
}
