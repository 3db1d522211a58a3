import { banTargetFor } from '../defense/address.js';

export interface BudgetLimits {
  /** Sessions one source may start per window. */
  readonly sessions: number;
  /** Bytes one source may send into the honeypot per window. */
  readonly bytes: number;
  /** Sessions one source may hold open at once. */
  readonly concurrent: number;
  readonly windowMs: number;
  /** Sessions open at once, all sources together. */
  readonly maxSessions: number;
  /** Bytes one session may bring. */
  readonly sessionBytes: number;
}

interface SourceSpend {
  windowStart: number;
  sessions: number;
  bytes: number;
  open: number;
}

/** Sources tracked at once; past it, a new source is refused until windows expire. */
const MAX_SOURCES = 10_000;

/**
 * What one source (an address, an IPv6 /64 — the unit bans use) may have of the honeypot:
 * sessions and bytes per window, sessions at once; and what everyone together may hold open. A
 * source past its budget is handled as if there were no honeypot: refused, or dropped at accept.
 */
export class SourceBudget {
  readonly #limits: BudgetLimits;
  readonly #clock: () => number;
  readonly #spend = new Map<string, SourceSpend>();
  #open = 0;

  constructor(limits: BudgetLimits, clock: () => number = Date.now) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** Sessions open now, all sources. */
  get open(): number {
    return this.#open;
  }

  /** True when `ip` could start a session now (nothing is spent). */
  hasRoom(ip: string): boolean {
    const key = keyOf(ip);
    if (key === null || this.#open >= this.#limits.maxSessions) return false;
    const s = this.#current(key, this.#clock());
    if (s === undefined) return this.#spend.size < MAX_SOURCES;
    return s.sessions < this.#limits.sessions && s.bytes < this.#limits.bytes && s.open < this.#limits.concurrent;
  }

  /** Start a session for `ip`, or null when its budget (or everyone's) is spent. */
  start(ip: string): SessionAllowance | null {
    const key = keyOf(ip);
    if (key === null || !this.hasRoom(ip)) return null;
    const now = this.#clock();
    let s = this.#current(key, now);
    if (s === undefined) {
      this.#evictExpired(now);
      s = { windowStart: now, sessions: 0, bytes: 0, open: 0 };
      this.#spend.set(key, s);
    }
    s.sessions++;
    s.open++;
    this.#open++;
    return new SessionAllowance(s, this.#limits, () => {
      s.open--;
      this.#open--;
    });
  }

  #current(key: string, now: number): SourceSpend | undefined {
    const s = this.#spend.get(key);
    if (s === undefined) return undefined;
    if (now - s.windowStart >= this.#limits.windowMs) {
      // A new window; sessions still open keep counting.
      s.windowStart = now;
      s.sessions = 0;
      s.bytes = 0;
    }
    return s;
  }

  #evictExpired(now: number): void {
    if (this.#spend.size < MAX_SOURCES) return;
    for (const [key, s] of this.#spend)
      if (s.open === 0 && now - s.windowStart >= this.#limits.windowMs) this.#spend.delete(key);
  }
}

/** One session's claim on its source's budget: bytes are spent through it; `end` gives the slot back. */
export class SessionAllowance {
  readonly #source: SourceSpend;
  readonly #limits: BudgetLimits;
  readonly #release: () => void;
  #bytes = 0;
  #ended = false;

  constructor(source: SourceSpend, limits: BudgetLimits, release: () => void) {
    this.#source = source;
    this.#limits = limits;
    this.#release = release;
  }

  /** Spend `n` bytes; false once the session or its source is past its bytes. */
  spend(n: number): boolean {
    this.#bytes += n;
    this.#source.bytes += n;
    return this.#bytes <= this.#limits.sessionBytes && this.#source.bytes <= this.#limits.bytes;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#release();
  }
}

function keyOf(ip: string): string | null {
  try {
    return banTargetFor(ip);
  } catch {
    return null;
  }
}
