import type { BanCustody } from '../../defense/banManager.js';
import type { Ban } from '../../store/types.js';

/**
 * The primary's book of the bans each worker holds unwritten (its store locked or failing),
 * kept from what the workers tell (`peer-custody`). A worker that ends takes none of them
 * along: its book is handed to a sibling to write (`peer-adopt`), or, with no sibling joined,
 * kept for the next worker to join. Only the unwritten are kept, so the book is empty while
 * the store takes bans at once.
 */
export class BanCustodyBook<W> {
  readonly #held = new Map<W, Ban[]>();
  /** Bans of ended workers that no worker took yet. */
  #orphans: Ban[] = [];

  /** What `worker` told of a ban of its own. */
  told(worker: W, change: BanCustody): void {
    const bans = this.#held.get(worker) ?? [];
    if (change.kind === 'queued') {
      bans.push(change.ban);
      this.#held.set(worker, bans);
      return;
    }
    const at = bans.findIndex((b) => sameBan(b, change.ban));
    if (at >= 0) bans.splice(at, 1);
    if (bans.length === 0) this.#held.delete(worker);
  }

  /** `worker` ended: what it held unwritten becomes an orphan. */
  ended(worker: W): void {
    const bans = this.#held.get(worker);
    if (bans === undefined) return;
    this.#held.delete(worker);
    this.#orphans = this.#orphans.concat(bans);
  }

  /**
   * The orphans, taken by a worker to write. Those its store does not take at once it tells as
   * `queued`, like its own: they pass on again should it end too.
   */
  take(): readonly Ban[] {
    const bans = this.#orphans;
    this.#orphans = [];
    return bans;
  }

  get orphans(): number {
    return this.#orphans.length;
  }
}

function sameBan(a: Ban, b: Ban): boolean {
  return a.target === b.target && a.since === b.since && a.until === b.until;
}
