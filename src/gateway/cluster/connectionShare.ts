/** What the primary tells a pool worker: the client connections its siblings hold together, and how many processes share the port. */
export interface PoolShare {
  readonly others: number;
  readonly workers: number;
}

/**
 * How often at most a worker tells the primary its count, and by how much it must have moved:
 * the pool's view is this stale at worst, off by one per worker, well within the surplus's
 * tolerance. With a new connection per request the count moves all the time: every message
 * costs the primary and the siblings a wake-up (bench/workers.ts, the primary's µs/req).
 */
export const REPORT_MS = 50;
const REPORT_STEP = 2;
/**
 * After letting connections go, how long a worker waits before it judges again: their clients'
 * new connections have landed (in this worker or a sibling) and the sibling's count has come
 * back through the primary, so the same surplus is not let go twice.
 */
export const SETTLE_MS = 3 * REPORT_MS;

/**
 * How many connections a worker holds beyond its share of the pool's: above the even split
 * (rounded up) by more than a sixteenth of it, and at least two, so a pool near even is left
 * alone (every connection let go costs its client a new handshake). 0 when within.
 */
export function surplusOf(own: number, others: number, workers: number): number {
  if (workers < 2) return 0;
  const even = Math.ceil((own + others) / workers);
  return Math.max(0, own - even - Math.max(2, Math.floor(even / 16)));
}

/**
 * One worker's part in keeping the pool's keep-alive connections even (`serve --workers N`).
 * Every worker accepts on the shared socket itself, and a keep-alive connection stays where it
 * was accepted: a burst of them (wrk's 64, a page's assets) splits as the kernel's wake-ups
 * fall, 42/22 as easily as 32/32, and the fuller worker stays the bottleneck for as long as
 * they last. Node 20 cannot stop a worker's accepting for a moment, nor pass a connection to a
 * sibling without the primary's hand-over (what SCHED_NONE avoids), so a worker over its
 * share lets connections go the way HTTP allows: the next response on one says
 * `Connection: close` (./balancedResponse.ts), the client opens a new connection, and the
 * kernel places it again. Repeated while the surplus lasts, the split converges.
 *
 * Counts travel through the primary (./primary.ts), each worker telling its own at most every
 * REPORT_MS, once it moved by REPORT_STEP. A connection let go counts as gone from here at once,
 * and as landed elsewhere until SETTLE_MS has passed, so that a stale sibling count does not
 * make it let go more.
 */
export class ConnectionShare {
  readonly #report: (count: number) => void;
  readonly #now: () => number;
  #own = 0;
  #reported = 0;
  #timer: NodeJS.Timeout | null = null;
  #share: PoolShare = { others: 0, workers: 1 };
  /** Connections let go less than SETTLE_MS after one another, until then counted as the siblings'. */
  #released = 0;
  #settledAt = 0;
  readonly #let = new WeakSet<object>();

  /** `report(count)`: tell the primary this worker's count (throttled here). */
  constructor(report: (count: number) => void, now: () => number = () => performance.now()) {
    this.#report = report;
    this.#now = now;
  }

  get held(): number {
    return this.#own;
  }

  /** A connection this worker accepted, counted until it closes. */
  opened(connection: { once(event: 'close', listener: () => void): unknown }): void {
    this.#own++;
    this.#changed();
    connection.once('close', () => {
      if (this.#let.has(connection)) return;
      this.#own--;
      this.#changed();
    });
  }

  heard(share: PoolShare): void {
    this.#share = share;
  }

  /**
   * Asked as a response's head goes out on an idle-safe connection: true to close it after
   * this response (it is counted as gone from here at once).
   */
  release(connection: object): boolean {
    const { others, workers } = this.#share;
    if (this.#released > 0 && this.#now() >= this.#settledAt) this.#released = 0;
    if (surplusOf(this.#own, others + this.#released, workers) === 0) return false;
    this.#settledAt = this.#now() + SETTLE_MS;
    this.#released++;
    this.#own--;
    this.#let.add(connection);
    this.#changed();
    return true;
  }

  #changed(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (Math.abs(this.#own - this.#reported) < REPORT_STEP) return;
      this.#reported = this.#own;
      this.#report(this.#own);
    }, REPORT_MS);
    this.#timer.unref();
  }
}
