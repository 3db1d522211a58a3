import { foldAscii, LiteralSet } from '../../detect/literalSet.js';
import { minMatchLength, requiredLiterals } from '../../detect/prefilter.js';
import { TextMemo } from '../memo.js';

/**
 * What lets the engine skip most `@rx` calls: for each CRS regex, the literals one of which
 * every match contains (the project's prefilter analysis, down to single characters) and its
 * shortest match. All the literals of all the regexes go into one caseless automaton, so a
 * value is scanned once, whatever the number of regexes asking about it, and the scan says
 * which regexes it admits. Folding case for case-sensitive regexes only admits more values.
 */
export interface RxPrefilter {
  /** The regex's slot in an admission table; -1 when it has no required literal (always admitted). */
  readonly index: number;
  readonly minLength: number;
}

export class RxPrefilterRegistry {
  private readonly literalIds = new Map<string, number>();
  /** Literal id → the regexes (slots) that require it. */
  private readonly owners: number[][] = [];
  private slots = 0;
  private set: LiteralSet | undefined;

  register(pattern: string): RxPrefilter {
    const minLength = minMatchLength(pattern);
    // Even single required characters help: a value holding none of them cannot match.
    const required = requiredLiterals(pattern, false, 1);
    if (required === null) return { index: -1, minLength };
    const index = this.slots++;
    for (const literal of required) {
      const folded = foldAscii(literal);
      let id = this.literalIds.get(folded);
      if (id === undefined) {
        id = this.literalIds.size;
        this.literalIds.set(folded, id);
        this.owners.push([]);
      }
      (this.owners[id] as number[]).push(index);
    }
    return { index, minLength };
  }

  private readonly memo = new TextMemo<Admission>(8192);

  /** Which regexes `text` admits (a slot's bit is set where one of its required literals occurs). */
  admitted(text: string): Admission {
    return this.memo.get(text, (t) => this.scan(t));
  }

  private scan(text: string): Admission {
    // The automaton's literal order is the registration order of the (already folded) literals.
    if (this.literalIds.size === 0) return this.none;
    this.set ??= new LiteralSet([...this.literalIds.keys()], { caseless: true });
    if (text.length < this.set.minLength) return this.none;
    // Small enough for V8 to keep on its heap (no backing store to allocate and finalise).
    const words = new Uint32Array(this.width);
    const owners = this.owners;
    let any = false;
    this.set.scan(text, (literal) => {
      any = true;
      for (const slot of owners[literal] as number[])
        words[slot >>> 5] = (words[slot >>> 5] as number) | (1 << (slot & 31));
    });
    return any ? words : this.none;
  }

  private get width(): number {
    return (this.slots + 31) >>> 5;
  }

  /** The admission of a text that holds no required literal: shared, never written. */
  private noneCache: Admission | undefined;

  private get none(): Admission {
    if (this.noneCache === undefined || this.noneCache.length !== this.width)
      this.noneCache = new Uint32Array(this.width);
    return this.noneCache;
  }

  get size(): number {
    return this.slots;
  }
}

/** Which regexes a text admits: a bit set of slots, 32 a word (the whole-request gate ORs them). */
export type Admission = Uint32Array;

export function admitsSlot(admission: Admission, slot: number): boolean {
  return ((admission[slot >>> 5] as number) & (1 << (slot & 31))) !== 0;
}

export function prefilterAdmits(
  prefilter: RxPrefilter,
  text: string,
  scope: { admitted(text: string): Admission },
): boolean {
  if (text.length < prefilter.minLength) return false;
  return prefilter.index < 0 || admitsSlot(scope.admitted(text), prefilter.index);
}
