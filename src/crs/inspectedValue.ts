import type { NamedValue } from './transaction.js';

/**
 * Which characters a value holds that some transformation acts on, one bit per kind. A
 * transformation pipeline whose bits a value lacks leaves it unchanged (up to ASCII case,
 * which the caseless prefilter ignores), so the prefilter's verdict on the raw value stands
 * for the transformed one and the pipeline need not run. `ALWAYS` marks pipelines that
 * change every value (digests, base64, length).
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
  always: 1 << 30,
} as const;

export function triggersOf(text: string): number {
  let mask = TRIGGER.always;
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === 0x2e) mask |= TRIGGER.path;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c < 0x7f && c !== 0x3b && c !== 0x5c && c !== 0x5e) {
      // Digits, letters and the punctuation no transformation acts on: only `0x` matters among them.
      if (c === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) mask |= TRIGGER.hexLiteral;
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

/** A request value shared by every rule that inspects it: its trigger bits are computed once. */
export class RequestValue implements NamedValue {
  private bits = -1;

  constructor(
    readonly name: string,
    readonly value: string,
  ) {}

  get triggers(): number {
    if (this.bits < 0) this.bits = triggersOf(this.value);
    return this.bits;
  }
}
