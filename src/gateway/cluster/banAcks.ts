/**
 * The primary's side of an acknowledged ban relay: a ban one worker made is relayed to every
 * other joined worker, and the banning worker is answered once each has acknowledged it, has
 * gone, or the bound has passed — a dead or stuck worker must not hold a refusal back for long.
 * Generic in the worker so it runs without processes in tests.
 */
export class BanAcks<W> {
  readonly #answer: (to: W, id: number) => void;
  readonly #boundMs: number;
  readonly #pending = new Map<number, { from: W; id: number; waiting: Set<W>; timer: NodeJS.Timeout }>();
  #next = 1;

  /** `answer(to, id)`: tell worker `to` that its ban `id` is held (or waited for long enough). */
  constructor(answer: (to: W, id: number) => void, boundMs: number) {
    this.#answer = answer;
    this.#boundMs = boundMs;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Worker `from`'s ban `id`, relayed to `to`: returns the relay's own id to send along (ids
   * from different workers would collide), or null when nobody is to wait for (answered already).
   */
  open(from: W, id: number, to: readonly W[]): number | null {
    if (to.length === 0) {
      this.#answer(from, id);
      return null;
    }
    const relay = this.#next++;
    const timer = setTimeout(() => this.#settle(relay), this.#boundMs);
    timer.unref();
    this.#pending.set(relay, { from, id, waiting: new Set(to), timer });
    return relay;
  }

  /** Worker `by` holds relay `relay`'s ban. */
  ack(by: W, relay: number): void {
    const entry = this.#pending.get(relay);
    if (entry === undefined) return;
    entry.waiting.delete(by);
    if (entry.waiting.size === 0) this.#settle(relay);
  }

  /** Worker `w` is gone: nobody waits for it; a ban it was waiting on needs no answer. */
  gone(w: W): void {
    for (const [relay, entry] of this.#pending) {
      if (entry.from === w) {
        clearTimeout(entry.timer);
        this.#pending.delete(relay);
      } else this.ack(w, relay);
    }
  }

  #settle(relay: number): void {
    const entry = this.#pending.get(relay);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#pending.delete(relay);
    this.#answer(entry.from, entry.id);
  }
}
