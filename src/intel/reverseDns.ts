import { Resolver } from 'node:dns/promises';

export interface ReverseDnsOptions {
  /** `host:port` servers; the system's resolvers when absent. */
  readonly servers?: readonly string[];
  /** Give up on one lookup after this long. */
  readonly timeoutMs?: number;
  /** How long an answer (or a failure) is remembered. */
  readonly ttlMs?: number;
  /** Clock, for the cache. */
  readonly now?: () => number;
}

interface CacheEntry {
  readonly name: string | null;
  readonly at: number;
}

/**
 * Reverse DNS that never holds anything up: one lookup per address at a time, a short timeout,
 * and a cache of answers and failures alike. `lookup` never rejects — no network, a slow
 * resolver or NXDOMAIN all resolve to null — so callers may fire and forget, then `peek`.
 */
export class ReverseDns {
  readonly #resolver: Resolver;
  readonly #timeoutMs: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<string | null>>();

  constructor(options: ReverseDnsOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 1500;
    this.#ttlMs = options.ttlMs ?? 6 * 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#resolver = new Resolver({ timeout: this.#timeoutMs, tries: 1 });
    if (options.servers) this.#resolver.setServers([...options.servers]);
  }

  /** The cached name: a string, null (looked up, none), or undefined (not looked up yet). */
  peek(ip: string): string | null | undefined {
    const hit = this.#cache.get(ip);
    if (!hit || this.#now() - hit.at > this.#ttlMs) return undefined;
    return hit.name;
  }

  lookup(ip: string): Promise<string | null> {
    const cached = this.peek(ip);
    if (cached !== undefined) return Promise.resolve(cached);
    const running = this.#inflight.get(ip);
    if (running) return running;
    const p = this.#ask(ip).then((name) => {
      this.#cache.set(ip, { name, at: this.#now() });
      this.#inflight.delete(ip);
      return name;
    });
    this.#inflight.set(ip, p);
    return p;
  }

  /** Look up many, waiting at most `deadlineMs` overall; unanswered ones stay undefined. */
  async lookupAll(ips: Iterable<string>, deadlineMs: number): Promise<Map<string, string | null>> {
    const list = [...new Set(ips)];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all(list.map((ip) => this.lookup(ip))), deadline]);
    clearTimeout(timer);
    const out = new Map<string, string | null>();
    for (const ip of list) {
      const v = this.peek(ip);
      if (v !== undefined) out.set(ip, v);
    }
    return out;
  }

  /** Stop in-flight queries (so a process can exit without waiting for them). */
  cancel(): void {
    this.#resolver.cancel();
  }

  async #ask(ip: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#timeoutMs + 100);
      timer.unref();
    });
    const answer = this.#resolver.reverse(ip).then(
      (names) => names[0] ?? null,
      () => null,
    );
    const name = await Promise.race([answer, timeout]);
    clearTimeout(timer);
    return name;
  }
}
