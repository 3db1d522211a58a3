import type { ServerResponse } from 'node:http';
import type { DashboardContext } from './dashboardContext.js';
import { eventView } from './eventView.js';
import { judged } from './metrics.js';

/** How often the store is read for new events: with the gateway's 100 ms flush, an event shows within ~¼ s. */
const POLL_MS = 200;
const RATE_MS = 1000;
/** Events sent per poll; a flood beyond this is summarised as a count (the rates still add it up). */
const MAX_PER_POLL = 100;
/** Viewers at once: each costs a socket, not a query. */
const MAX_CLIENTS = 64;

/** Per-second counts for the Now page's chart. */
interface RateTally {
  blocked: number;
  banned: number;
  dropped: number;
  detected: number;
}

/**
 * The Now page's Server-Sent Events: `security` for each event the store receives (read by seq,
 * so events written by other processes — a monitor, `analyze --follow` — appear too) and
 * `rates` once a second. One poll of the store serves every viewer; nothing runs without one.
 */
export class LiveFeed {
  readonly #ctx: DashboardContext;
  readonly #clients = new Set<ServerResponse>();
  #cursor = 0;
  readonly #reading = new Set<'events' | 'rates'>();
  #poll: NodeJS.Timeout | null = null;
  #rates: NodeJS.Timeout | null = null;
  #tally: RateTally = { blocked: 0, banned: 0, dropped: 0, detected: 0 };
  #lastRequests = 0;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  /** Take over a request's response as an event stream; false when the viewer limit is reached. */
  attach(res: ServerResponse): boolean {
    if (this.#clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.#clients.add(res);
    res.on('close', () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stop();
    });
    if (this.#poll === null) this.#start();
    return true;
  }

  close(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#stop();
  }

  #start(): void {
    this.#tally = { blocked: 0, banned: 0, dropped: 0, detected: 0 };
    // The feed starts at the newest event; reads of a kind never overlap (a slow store skips a beat instead).
    this.#cursor = Number.NaN;
    this.#lastRequests = Number.NaN;
    this.#tick('events', async () => {
      this.#cursor = await this.#ctx.store.lastEventSeq();
    });
    this.#tick('rates', async () => {
      this.#lastRequests = await this.#requests();
    });
    this.#poll = setInterval(() => this.#tick('events', () => this.#readNew()), POLL_MS);
    this.#rates = setInterval(() => this.#tick('rates', () => this.#sendRates()), RATE_MS);
  }

  #stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    if (this.#rates) clearInterval(this.#rates);
    this.#poll = null;
    this.#rates = null;
  }

  #tick(kind: 'events' | 'rates', read: () => Promise<void>): void {
    if (this.#reading.has(kind)) return;
    this.#reading.add(kind);
    read()
      .catch(() => undefined)
      .finally(() => this.#reading.delete(kind));
  }

  async #readNew(): Promise<void> {
    if (Number.isNaN(this.#cursor)) return;
    const rows = await this.#ctx.store.eventsAfter(this.#cursor, 10_000);
    if (rows.length === 0) return;
    this.#cursor = rows[rows.length - 1]?.seq ?? this.#cursor;
    for (const r of rows) {
      const a = r.event.event.action;
      if (a === 'blocked' || a === 'banned' || a === 'detected') this.#tally[a]++;
      else if (a === 'dropped') this.#tally.dropped += r.event.event.count ?? 1;
    }
    const shown = rows.slice(-MAX_PER_POLL);
    if (rows.length > shown.length) this.#send('skipped', { count: rows.length - shown.length });
    for (const r of shown) this.#send('security', eventView(r, this.#ctx.origin));
  }

  async #sendRates(): Promise<void> {
    const requests = await this.#requests();
    const perSecond = Number.isNaN(requests) || Number.isNaN(this.#lastRequests) ? null : requests - this.#lastRequests;
    this.#lastRequests = requests;
    this.#send('rates', {
      time: this.#ctx.clock(),
      requests: perSecond,
      ...this.#tally,
      activeBans: await this.#ctx.bans.countActive(this.#ctx.clock()),
    });
    this.#tally = { blocked: 0, banned: 0, dropped: 0, detected: 0 };
  }

  /** Requests the gateway (every worker of it) judged so far; NaN without a gateway here. */
  async #requests(): Promise<number> {
    return this.#ctx.gateway ? judged(await this.#ctx.gateway.totals()) : Number.NaN;
  }

  /** JSON on one `data:` line: JSON.stringify escapes newlines, so an attacker's string cannot end the frame. */
  #send(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#clients) res.write(frame);
  }
}
