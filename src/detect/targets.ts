import type { FieldName } from './fieldNames.js';
import { readerFor, type TargetNode } from './fields.js';
import type { TransformName } from './transforms/index.js';

/**
 * A field after a chain of transformations; `key` identifies it in the per-request cache and
 * `parent` is the same field with the chain minus its last step, so that chains sharing a
 * prefix (`urlDecode, lowercase` and `urlDecode, lowercase, compressWhitespace`) share work.
 */
export interface Target extends TargetNode {
  readonly field: FieldName;
  readonly transforms: readonly TransformName[];
  readonly key: string;
  readonly parent: Target | null;
  readonly root: Target | null;
}

/**
 * The targets of one compiled rule set. Targets are immutable, so equal ones are shared by
 * every rule of the set; ids are dense, so per-request caches are plain arrays. A table lives
 * as long as the engine it was compiled for: a reload compiles into a new one.
 */
export class TargetTable {
  readonly #byKey = new Map<string, Target>();

  /** How many distinct targets so far: ids are below it. */
  get size(): number {
    return this.#byKey.size;
  }

  of(field: FieldName, transforms: readonly TransformName[]): Target {
    const key = transforms.length === 0 ? field : `${field}|${transforms.join(',')}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const parent = transforms.length === 0 ? null : this.of(field, transforms.slice(0, -1));
    const last = transforms[transforms.length - 1] ?? null;
    const root = parent === null ? null : (parent.root ?? parent);
    const target: Target = { id: this.#byKey.size, field, transforms, key, parent, root, last, read: readerFor(field) };
    this.#byKey.set(key, target);
    return target;
  }
}
