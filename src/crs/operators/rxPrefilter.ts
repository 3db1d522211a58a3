import { foldAscii, LiteralSet } from '../../detect/literalSet.js';
import { minMatchLength, requiredLiterals } from '../../detect/prefilter.js';

/**
 * What lets the engine skip most `@rx` calls: for each CRS regex, the literals one of which
 * every match contains (the project's prefilter analysis) and its shortest match. All the
 * literals of all the regexes go into one caseless automaton, so a value is scanned once
 * however many regexes ask about it; a regex then runs only where one of its literals occurs.
 * Folding case for case-sensitive regexes only admits more values, never fewer.
 */
export interface RxPrefilter {
  /** Indexes into the shared automaton's literals, or null when the regex has no required literal. */
  readonly literals: readonly number[] | null;
  readonly minLength: number;
}

export class RxPrefilterRegistry {
  private readonly pending = new Map<string, number>();
  private set: LiteralSet | undefined;

  register(pattern: string): RxPrefilter {
    const minLength = minMatchLength(pattern);
    // Even single required characters help: a value holding none of them cannot match.
    const required = requiredLiterals(pattern, false, 1);
    if (required === null) return { literals: null, minLength };
    const ids: number[] = [];
    for (const literal of required) {
      const folded = foldAscii(literal);
      let id = this.pending.get(folded);
      if (id === undefined) {
        id = this.pending.size;
        this.pending.set(folded, id);
      }
      ids.push(id);
    }
    return { literals: ids, minLength };
  }

  /** The automaton over every registered literal; its literal order is the registration order. */
  automaton(): LiteralSet | null {
    if (this.pending.size === 0) return null;
    this.set ??= new LiteralSet([...this.pending.keys()], { caseless: true });
    return this.set;
  }

  get size(): number {
    return this.pending.size;
  }
}

/** Which of the registered literals occur in `text` (one entry per literal). */
export function literalHits(set: LiteralSet | null, size: number, text: string): Uint8Array {
  const hits = new Uint8Array(size);
  if (set !== null && text.length >= set.minLength) set.scan(text, (index) => (hits[index] = 1));
  return hits;
}

export function prefilterAdmits(prefilter: RxPrefilter, text: string, hits: () => Uint8Array): boolean {
  if (text.length < prefilter.minLength) return false;
  if (prefilter.literals === null) return true;
  const h = hits();
  for (const id of prefilter.literals) if (h[id] === 1) return true;
  return false;
}
