import type { Admission } from './operators/rxPrefilter.js';

/**
 * What the rules learned of one value string: its trigger bits, its forms after each pipeline,
 * the prefilter's admissions of those forms, and each operator's verdict on it. Every one is a
 * pure function of the text (and of the rule set that owns the cache), so a header value, a path
 * or an argument seen in an earlier request costs lookups instead of transformations, regexes,
 * @pm scans and libinjection. Names are not part of it: the same text under another variable
 * shares its facts, and MATCHED_VAR still names the variable it was found in.
 */
export class ValueFacts {
  /** Trigger bits (see inspectedValue.ts), -1 until computed. */
  bits = -1;
  /** Per pipeline (TransformChain.index): the transformed form. */
  forms: Array<string | undefined> | undefined;
  /** Per pipeline index: the prefilter's admission of the form. */
  admissions: Array<Admission | undefined> | undefined;
  /** Per operator slot (RuleLink.slot, one per step of a multiMatch pipeline): 0 not known, else VERDICT. */
  verdicts: Uint8Array | undefined;
  /** Per operator slot of a capturing link that matched: what it captured (null: nothing). */
  captures: Array<ReadonlyArray<string | undefined> | null | undefined> | undefined;

  constructor(readonly value: string) {}
}

export const VERDICT = { miss: 1, hit: 2 } as const;

/**
 * The rule set's facts about values, across requests. Bounded by generations: once the current
 * map holds `capacity` values it becomes the previous one (a value found there moves back to
 * the current map) and the one before is dropped, so at most twice `capacity` values are held,
 * and a flood of unique values only ever costs what a cache miss costs. Values longer than
 * `maxLength` are not kept: their facts live as long as the request's value, as without a cache.
 */
export class ValueFactsCache {
  private current = new Map<string, ValueFacts>();
  private previous = new Map<string, ValueFacts>();

  constructor(
    /** How many operator slots the rule set has (the length of each verdicts array). */
    readonly slots: number,
    private readonly capacity = 2048,
    private readonly maxLength = 1024,
  ) {}

  of(value: string): ValueFacts {
    const hit = this.current.get(value);
    if (hit !== undefined) return hit;
    if (value.length > this.maxLength) return new ValueFacts(value);
    const facts = this.previous.get(value) ?? new ValueFacts(value);
    if (this.current.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(value, facts);
    return facts;
  }

  /** Values held, both generations (a value in both is counted once per map). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
