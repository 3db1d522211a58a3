import { TextMemo } from './memo.js';
import { applyTransformation, type TransformationName, triggerMask } from './transformations/index.js';

/**
 * Transformation pipelines as a trie shared by every rule: `urlDecodeUni,htmlEntityDecode`
 * is the child of `urlDecodeUni`, so a value transformed for one rule is reused by every rule
 * whose pipeline starts the same way. Each node has an index for the per-transaction cache.
 */
export interface TransformChain {
  readonly index: number;
  readonly names: readonly TransformationName[];
  readonly parent: TransformChain | null;
  readonly last: TransformationName | null;
  /** The trigger bits of every step (see inspectedValue.ts): a value without them passes unchanged. */
  readonly triggers: number;
}

export class TransformChainRegistry {
  readonly root: TransformChain = { index: 0, names: [], parent: null, last: null, triggers: 0 };
  private readonly byKey = new Map<string, TransformChain>([['', this.root]]);

  chain(names: readonly TransformationName[]): TransformChain {
    let node = this.root;
    for (let i = 0; i < names.length; i++) {
      const key = names.slice(0, i + 1).join(',');
      let next = this.byKey.get(key);
      if (next === undefined) {
        const last = names[i] as TransformationName;
        next = {
          index: this.byKey.size,
          names: names.slice(0, i + 1),
          parent: node,
          last,
          triggers: node.triggers | triggerMask(last),
        };
        this.byKey.set(key, next);
      }
      node = next;
    }
    return node;
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Transformed values, per pipeline, kept across requests (see memo.ts). */
export class TransformCache {
  private readonly memo: Array<TextMemo<string> | undefined>;

  constructor(size: number) {
    this.memo = new Array(size);
  }

  apply(chain: TransformChain, value: string): string {
    const last = chain.last;
    if (chain.parent === null || last === null) return value;
    let memo = this.memo[chain.index];
    if (memo === undefined) {
      memo = new TextMemo(2048);
      this.memo[chain.index] = memo;
    }
    return memo.get(value, (v) => applyTransformation(last, this.apply(chain.parent as TransformChain, v)));
  }

  /** The value after each step (raw first), for multiMatch. */
  steps(chain: TransformChain, value: string): string[] {
    return chainSteps(chain).map((c) => this.apply(c, value));
  }
}

/** The pipeline's steps, the untransformed value (the root) first: what multiMatch tests. */
export function chainSteps(chain: TransformChain): TransformChain[] {
  const out: TransformChain[] = [];
  for (let c: TransformChain | null = chain; c !== null; c = c.parent) out.unshift(c);
  return out;
}
