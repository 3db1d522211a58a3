import type { NamedValue } from './namedValue.js';
import type { Admission, RxPrefilterRegistry } from './operators/rxPrefilter.js';
import { TRIGGER } from './transformations/trigger.js';
import type { TransformCache, TransformChain } from './transformChain.js';
import type { ValueFacts } from './valueFacts.js';

export function triggersOf(text: string): number {
  let mask = TRIGGER.always;
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === 0x2e) mask |= TRIGGER.path;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c < 0x7f && c !== 0x3b && c !== 0x5c && c !== 0x5e) {
      // Digits, letters and the punctuation no transformation acts on: only `0x` and case matter.
      if (c >= 0x41 && c <= 0x5a) mask |= TRIGGER.upper;
      else if (c === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) mask |= TRIGGER.hexLiteral;
      continue;
    }
    switch (c) {
      case 0x25:
      case 0x2b:
        mask |= TRIGGER.urlEscape;
        break;
      case 0x26:
        mask |= TRIGGER.ampersand;
        break;
      case 0x5c:
        mask |= TRIGGER.backslash | TRIGGER.path;
        break;
      case 0x00:
        mask |= TRIGGER.nul;
        break;
      case 0x20:
        mask |= TRIGGER.space;
        break;
      case 0x09:
      case 0x0a:
      case 0x0b:
      case 0x0c:
      case 0x0d:
        mask |= TRIGGER.whitespace;
        break;
      case 0x22:
      case 0x27:
      case 0x2c:
      case 0x3b:
      case 0x5e:
        mask |= TRIGGER.shellQuote;
        break;
      case 0x23:
        mask |= TRIGGER.comment;
        break;
      case 0x2a:
      case 0x2d: {
        const next = text.charCodeAt(i + 1);
        if ((c === 0x2a && next === 0x2f) || (c === 0x2d && next === 0x2d)) mask |= TRIGGER.comment;
        break;
      }
      case 0x2f: {
        const next = text.charCodeAt(i + 1);
        if (next === 0x2a) mask |= TRIGGER.comment;
        if (next === 0x2e || next === 0x2f) mask |= TRIGGER.path;
        break;
      }
      default:
        if (c >= 0x7f) mask |= c === 0xa0 ? TRIGGER.whitespace | TRIGGER.nonAscii : TRIGGER.nonAscii;
    }
  }
  return mask;
}

/**
 * A request value shared by every rule that inspects it. What rules ask of it again and again —
 * its trigger bits, its transformed forms (per pipeline), which regexes the prefilter admits for
 * each form, the operators' verdicts — is kept in its facts: the rule set's, shared with every
 * request that held the same text (./valueFacts.ts), or its own when the engine runs without them.
 */
export class RequestValue implements NamedValue {
  constructor(
    readonly name: string,
    readonly facts: ValueFacts,
  ) {}

  get value(): string {
    return this.facts.value;
  }

  get triggers(): number {
    const facts = this.facts;
    if (facts.bits < 0) facts.bits = triggersOf(facts.value);
    return facts.bits;
  }

  /** The value after `chain` (itself, without computing, when it triggers none of its steps). */
  transformed(chain: TransformChain, cache: TransformCache): string {
    if ((this.triggers & chain.triggers) === 0) return this.facts.value;
    const facts = this.facts;
    facts.forms ??= [];
    const forms = facts.forms;
    let form = forms[chain.index];
    if (form === undefined) {
      form = cache.apply(chain, facts.value);
      forms[chain.index] = form;
    }
    return form;
  }

  /** The prefilter's admissions for the value after `chain`. */
  admitted(chain: TransformChain, cache: TransformCache, prefilters: RxPrefilterRegistry): Admission {
    // Pipelines that change at most the case share the raw value's admission (caseless prefilter).
    const index = (this.triggers & chain.triggers & ~TRIGGER.upper) === 0 ? 0 : chain.index;
    this.facts.admissions ??= [];
    const admissions = this.facts.admissions;
    let admission = admissions[index];
    if (admission === undefined) {
      admission = prefilters.admitted(index === 0 ? this.facts.value : this.transformed(chain, cache));
      admissions[index] = admission;
    }
    return admission;
  }
}
