/** Wrong tokens one address may send before it must wait, and how long it waits. */
const FAILURES_ALLOWED = 5;
const PAUSE_MS = 60_000;
/** Addresses tracked at once: a spray from many addresses cannot grow the table without bound. */
const MAX_TRACKED = 10_000;

/**
 * Slows token guessing at the login form and with bearer tokens: after five wrong tokens an
 * address is refused for a minute, even with the right one. Per address, so a guesser elsewhere
 * cannot lock the operator out.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; until: number }>();

  /** False while `address` must wait. */
  allows(address: string, now: number): boolean {
    const f = this.#failures.get(address);
    return f === undefined || f.count < FAILURES_ALLOWED || f.until <= now;
  }

  failed(address: string, now: number): void {
    const f = this.#failures.get(address);
    const count = f === undefined || f.until <= now ? 1 : f.count + 1;
    if (f === undefined && this.#failures.size >= MAX_TRACKED) this.#failures.clear();
    this.#failures.set(address, { count, until: now + PAUSE_MS });
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }
}
