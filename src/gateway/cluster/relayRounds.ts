/**
 * The primary's side of a question one worker puts to every other joined worker through it —
 * "hold this ban" (acknowledged), "what are your totals" (answered with them). The asking worker
 * is answered once each has replied, has gone, or the bound has passed: a dead or stuck worker
 * must not hold a refusal, or a scrape, back for long. Generic in the worker so it runs without
 * processes in tests.
 */
export class RelayRounds<W, A> {
  readonly #settle: (to: W, id: number, replies: ReadonlyMap<W, A>) => void;
  readonly #boundMs: number;
  readonly #pending = new Map<
    number,
    { from: W; id: number; waiting: Set<W>; replies: Map<W, A>; timer: NodeJS.Timeout }
  >();
  #next = 1;

  /** `settle(to, id, replies)`: answer worker `to`'s question `id` with what came back in time. */
  constructor(settle: (to: W, id: number, replies: ReadonlyMap<W, A>) => void, boundMs: number) {
    this.#settle = settle;
    this.#boundMs = boundMs;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Worker `from`'s question `id`, relayed to `to`: returns the relay's own id to send along (ids
   * from different workers would collide), or null when nobody is to wait for (answered already).
   */
  open(from: W, id: number, to: readonly W[]): number | null {
    if (to.length === 0) {
      this.#settle(from, id, new Map());
      return null;
    }
    const relay = this.#next++;
    const timer = setTimeout(() => this.#close(relay), this.#boundMs);
    timer.unref();
    this.#pending.set(relay, { from, id, waiting: new Set(to), replies: new Map(), timer });
    return relay;
  }

  /** Worker `by`'s reply to relay `relay`. */
  reply(by: W, relay: number, value: A): void {
    const entry = this.#pending.get(relay);
    if (entry === undefined || !entry.waiting.delete(by)) return;
    entry.replies.set(by, value);
    if (entry.waiting.size === 0) this.#close(relay);
  }

  /** Worker `w` is gone: nobody waits for it; a question it was waiting on needs no answer. */
  gone(w: W): void {
    for (const [relay, entry] of this.#pending) {
      if (entry.from === w) {
        clearTimeout(entry.timer);
        this.#pending.delete(relay);
      } else if (entry.waiting.delete(w) && entry.waiting.size === 0) this.#close(relay);
    }
  }

  #close(relay: number): void {
    const entry = this.#pending.get(relay);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#pending.delete(relay);
    this.#settle(entry.from, entry.id, entry.replies);
  }
}
