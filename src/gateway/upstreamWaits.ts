/**
 * The upstream's time limits — for its answer's head once the request is sent
 * (`upstreamHeadersMs`), between chunks of its body (`upstreamBodyMs`) — kept by one sweep over
 * the requests in flight rather than by timers per request. undici's own limits arm a timer for
 * each phase (a new one whenever the delay changes, the head's 30 s then the body's 300 s), and
 * each stays in undici's fast-timer list until its next half-second tick: two objects a request
 * that outlive two scavenges, promoted, and the old generation grows into mark-compacts that stall
 * the event loop for milliseconds (issue 21: bansho's p99 over the reference proxy's).
 *
 * The requests in flight form an intrusive list (no Set whose table is rebuilt as it churns);
 * the sweep runs only while the list is not empty, every tenth of the shorter limit, at most
 * every second (undici's fast timers have a second's resolution too).
 */

/** What a request waits for from the upstream now. */
export type Wait = 'nothing' | 'head' | 'body';

/** One request in flight, as the sweep sees it (./forward.ts's Forwarding). */
export interface Waiter {
  /** 'nothing': its body still being sent, or the client not reading (its own send timeout applies). */
  wait: Wait;
  /** performance.now() when the current wait began. */
  waitingSince: number;
  /** Past the limit of `wait` ('head' or 'body'): fail the request. Called once; it is unlisted first. */
  timedOut(wait: Exclude<Wait, 'nothing'>): void;
  previousWaiter: Waiter | null;
  nextWaiter: Waiter | null;
}

export interface WaitLimits {
  readonly headMs: number;
  readonly bodyMs: number;
}

export class UpstreamWaits {
  readonly #limits: WaitLimits;
  readonly #sweepMs: number;
  #first: Waiter | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** A limit of 0 is no limit, as in undici. */
  constructor(limits: WaitLimits) {
    this.#limits = limits;
    const shorter = Math.min(limits.headMs || Number.POSITIVE_INFINITY, limits.bodyMs || Number.POSITIVE_INFINITY);
    this.#sweepMs = Math.max(10, Math.min(1000, Math.floor(shorter / 10)));
  }

  /** Start watching `w` (not listed yet). */
  add(w: Waiter): void {
    w.previousWaiter = null;
    w.nextWaiter = this.#first;
    if (this.#first !== null) this.#first.previousWaiter = w;
    this.#first = w;
    if (this.#timer === null && (this.#limits.headMs > 0 || this.#limits.bodyMs > 0)) {
      this.#timer = setInterval(() => this.sweep(performance.now()), this.#sweepMs);
      this.#timer.unref();
    }
  }

  /** Stop watching `w` (done, failed, or never listed: then nothing happens). */
  remove(w: Waiter): void {
    if (w.previousWaiter !== null) w.previousWaiter.nextWaiter = w.nextWaiter;
    else if (this.#first === w) this.#first = w.nextWaiter;
    else return;
    if (w.nextWaiter !== null) w.nextWaiter.previousWaiter = w.previousWaiter;
    w.previousWaiter = null;
    w.nextWaiter = null;
  }

  /** Fail every request waiting past its limit at `now`; the sweep stops once nothing is in flight. */
  sweep(now: number): void {
    let w = this.#first;
    while (w !== null) {
      const next = w.nextWaiter;
      const wait = w.wait;
      if (wait !== 'nothing') {
        const limit = wait === 'head' ? this.#limits.headMs : this.#limits.bodyMs;
        if (limit > 0 && now - w.waitingSince >= limit) {
          this.remove(w);
          w.timedOut(wait);
        }
      }
      w = next;
    }
    if (this.#first === null) this.stop();
  }

  /** Requests watched (for tests). */
  get size(): number {
    let n = 0;
    for (let w = this.#first; w !== null; w = w.nextWaiter) n++;
    return n;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
