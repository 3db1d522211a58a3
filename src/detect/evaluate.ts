import type { CompiledCondition } from './compile.js';
import type { FieldContext } from './fields.js';

export interface Evidence {
  field: string;
  value: string;
}

/** All conditions hold → the evidence of the costliest positive one; otherwise null. */
export function evaluate(conditions: readonly CompiledCondition[], ctx: FieldContext): Evidence | null {
  let evidence: Evidence | null = null;
  for (const c of conditions) {
    const found = evaluateOne(c, ctx);
    if (found === null) return null;
    if (found !== true) evidence = found;
  }
  return evidence ?? { field: '', value: '' };
}

/** Evidence when a positive condition holds, `true` when a negated one holds, null when it fails. */
function evaluateOne(c: CompiledCondition, ctx: FieldContext): Evidence | true | null {
  if (c.kind === 'any') {
    for (const x of c.of) {
      const found = evaluateOne(x, ctx);
      if (found !== null) return found;
    }
    return null;
  }
  // A negated condition that holds shows what it looked at (the foreign host, say), if anything:
  // its first value, made into evidence only then (a failing positive condition makes none).
  let firstTarget: (typeof c.targets)[number] | null = null;
  let firstValue = '';
  for (const target of c.targets) {
    const values = ctx.get(target);
    const value = c.test(values);
    if (value !== undefined) return c.negate ? null : { field: target.key, value };
    if (firstTarget === null && values.length > 0) {
      firstTarget = target;
      firstValue = values[0] as string;
    }
  }
  if (!c.negate) return null;
  return firstTarget === null ? true : { field: firstTarget.key, value: firstValue };
}
