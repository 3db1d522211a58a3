import { banTargetFor } from '../defense/address.js';

/**
 * What one source holds of the gateway right now — open connections, requests in flight — and
 * how often it has overstepped a limit lately. Keyed by ban target (an IPv4 address, an IPv6
 * /64), so rotating addresses inside one's own /64 buys nothing. Memory is bounded by what is
 * open: a key is dropped when its count returns to zero; strikes are capped in number of keys.
 */
export interface SourceLimitOptions {
  readonly connectionsPerSource: number;
  readonly requestsPerSource: number;
  readonly strikesToBan: number;
  readonly strikeWindowMs: number;
  readonly maxTrackedStrikes?: number;
}

interface Strikes {
  count: number;
  first: number;
}

export class SourceLimits {
  readonly #options: SourceLimitOptions;
  readonly #connections = new Map<string, number>();
  readonly #requests = new Map<string, number>();
  readonly #strikes = new Map<string, Strikes>();

  constructor(options: SourceLimitOptions) {
    this.#options = options;
  }

  /** Count a new connection; false (and not counted) when the source already holds its share. */
  openConnection(key: string): boolean {
    return take(this.#connections, key, this.#options.connectionsPerSource);
  }

  closeConnection(key: string): void {
    give(this.#connections, key);
  }

  /** Count a request in flight; false (and not counted) when the source is at its limit. */
  startRequest(key: string): boolean {
    return take(this.#requests, key, this.#options.requestsPerSource);
  }

  endRequest(key: string): void {
    give(this.#requests, key);
  }

  /** One more breach (a limit hit, a body too slow); true when this one earns a ban. */
  strike(key: string, now: number): boolean {
    let s = this.#strikes.get(key);
    if (s === undefined || now - s.first > this.#options.strikeWindowMs) {
      s = { count: 0, first: now };
      this.#strikes.delete(key);
      if (this.#strikes.size >= (this.#options.maxTrackedStrikes ?? 100_000)) {
        const oldest = this.#strikes.keys().next().value;
        if (oldest !== undefined) this.#strikes.delete(oldest);
      }
      this.#strikes.set(key, s);
    }
    s.count++;
    if (s.count < this.#options.strikesToBan) return false;
    this.#strikes.delete(key);
    return true;
  }

  /** Sources with open connections or requests, and with recent strikes (for tests and metrics). */
  get size(): { connections: number; requests: number; strikes: number } {
    return { connections: this.#connections.size, requests: this.#requests.size, strikes: this.#strikes.size };
  }
}

function take(counts: Map<string, number>, key: string, limit: number): boolean {
  const n = counts.get(key) ?? 0;
  if (n >= limit) return false;
  counts.set(key, n + 1);
  return true;
}

function give(counts: Map<string, number>, key: string): void {
  const n = counts.get(key);
  if (n === undefined) return;
  if (n <= 1) counts.delete(key);
  else counts.set(key, n - 1);
}

/**
 * The key a source is counted under: the address for IPv4 (allocation-free on the accept
 * path), the /64 for IPv6 — what a ban would cover.
 */
export function sourceKey(address: string): string {
  if (address.indexOf(':') < 0) return address;
  if (address.startsWith('::ffff:') && address.indexOf('.') > 0) return address.slice(7);
  try {
    return banTargetFor(address);
  } catch {
    return address;
  }
}
