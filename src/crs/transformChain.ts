import { applyTransformation, type TransformationName } from './transformations/index.js';

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
}

export class TransformChainRegistry {
  readonly root: TransformChain = { index: 0, names: [], parent: null, last: null };
  private readonly byKey = new Map<string, TransformChain>([['', this.root]]);

  chain(names: readonly TransformationName[]): TransformChain {
    let node = this.root;
    for (let i = 0; i < names.length; i++) {
      const key = names.slice(0, i + 1).join(',');
      let next = this.byKey.get(key);
      if (next === undefined) {
        next = {
          index: this.byKey.size,
          names: names.slice(0, i + 1),
          parent: node,
          last: names[i] as TransformationName,
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

/** Per-transaction memo: chain index → input → output. */
export class TransformCache {
  private readonly memo: Array<Map<string, string> | undefined>;

  constructor(size: number) {
    this.memo = new Array(size);
  }

  apply(chain: TransformChain, value: string): string {
    if (chain.parent === null || chain.last === null) return value;
    let table = this.memo[chain.index];
    if (table === undefined) {
      table = new Map();
      this.memo[chain.index] = table;
    }
    const hit = table.get(value);
    if (hit !== undefined) return hit;
    const out = applyTransformation(chain.last, this.apply(chain.parent, value));
    table.set(value, out);
    return out;
  }

  /** The value after each step (raw first), for multiMatch. */
  steps(chain: TransformChain, value: string): string[] {
    const nodes: TransformChain[] = [];
    for (let c: TransformChain | null = chain; c !== null && c.parent !== null; c = c.parent) nodes.unshift(c);
    return [value, ...nodes.map((c) => this.apply(c, value))];
  }
}
