import { isIP } from 'node:net';
import type { EventAction } from '../events/securityEvent.js';
import { describeRecurrence, describeTrend, recurrenceOf, trendOf } from '../trends/index.js';
import type { DashboardContext } from './dashboardContext.js';
import { DashboardError } from './dashboardError.js';
import { eventView, originView } from './eventView.js';

const ACTIONS: readonly EventAction[] = ['blocked', 'banned', 'unbanned', 'dropped', 'detected', 'flow'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A chart's unit: its bucket, how many buckets are shown, and the window the trend compares. */
export const UNITS = {
  hour: { bucketMs: HOUR_MS, buckets: 48, trendMs: 24 * HOUR_MS },
  day: { bucketMs: DAY_MS, buckets: 30, trendMs: 7 * DAY_MS },
  week: { bucketMs: 7 * DAY_MS, buckets: 26, trendMs: 28 * DAY_MS },
} as const;
export type ChartUnit = keyof typeof UNITS;

/** `GET /api/events?source=&threat=&action=&since=&until=&before=&limit=`: newest first, a page at a time. */
export async function eventsApi(ctx: DashboardContext, q: URLSearchParams): Promise<unknown> {
  const limit = intParam(q, 'limit', 50, 1, 500);
  const actions = q.getAll('action').filter((a): a is EventAction => (ACTIONS as readonly string[]).includes(a));
  const source = q.get('source');
  const threat = q.get('threat');
  const before = q.get('before');
  const since = q.get('since');
  const until = q.get('until');
  const page = await ctx.store.eventPage({
    limit,
    ...(source ? { sourceIp: checkedIp(source) } : {}),
    ...(threat ? { threatId: threat } : {}),
    ...(actions.length > 0 ? { actions } : {}),
    ...(since ? { since: timeParam('since', since) } : {}),
    ...(until ? { until: timeParam('until', until) } : {}),
    ...(before ? { before: cursorParam(before) } : {}),
  });
  const events = page.map((s) => eventView(s, ctx.origin));
  return { events, next: events.length === limit ? (events[events.length - 1]?.cursor ?? null) : null };
}

/** `GET /api/sources?hours=24`: top sources, countries and networks. */
export async function sourcesApi(ctx: DashboardContext, q: URLSearchParams): Promise<unknown> {
  const hours = intParam(q, 'hours', 24, 1, 24 * 365);
  const counts = await ctx.store.sourceCounts(ctx.clock() - hours * HOUR_MS, 5000);
  const countries = new Map<string, { code: string; name: string; events: number; sources: number }>();
  const networks = new Map<number, { number: number; org: string; events: number; sources: number }>();
  const sources = counts.map((c) => {
    const origin = originView(ctx.origin?.(c.ip));
    if (origin?.country) {
      const row = countries.get(origin.country.code) ?? { ...origin.country, events: 0, sources: 0 };
      row.events += c.events;
      row.sources++;
      countries.set(origin.country.code, row);
    }
    if (origin?.asn) {
      const row = networks.get(origin.asn.number) ?? { ...origin.asn, events: 0, sources: 0 };
      row.events += c.events;
      row.sources++;
      networks.set(origin.asn.number, row);
    }
    return { ...c, origin };
  });
  const byEvents = (a: { events: number }, b: { events: number }) => b.events - a.events;
  return {
    hours,
    // Every source counts toward its country and network; only the top ones are listed (and looked up for a ban).
    sources: await Promise.all(
      sources.slice(0, 50).map(async (x) => ({ ...x, banned: (await ctx.bans.activeFor(x.ip, ctx.clock())) !== null })),
    ),
    countries: [...countries.values()].sort(byEvents).slice(0, 20),
    networks: [...networks.values()].sort(byEvents).slice(0, 20),
  };
}

/** `GET /api/sources/IP`: one source's whole history: events, its ban, offences, origin. */
export async function sourceApi(ctx: DashboardContext, ip: string, q: URLSearchParams): Promise<unknown> {
  const address = checkedIp(ip);
  const limit = intParam(q, 'limit', 200, 1, 1000);
  const before = q.get('before');
  const page = await ctx.store.eventPage({
    sourceIp: address,
    limit,
    ...(before ? { before: cursorParam(before) } : {}),
  });
  const events = page.map((s) => eventView(s, ctx.origin));
  const threats = new Map<string, number>();
  for (const e of events) if (e.threat) threats.set(e.threat.name, (threats.get(e.threat.name) ?? 0) + 1);
  return {
    ip: address,
    origin: originView(ctx.origin?.(address)),
    ban: await ctx.bans.activeFor(address, ctx.clock()),
    offences: await ctx.bans.offencesFor(address),
    total: await ctx.store.countEvents({ sourceIp: address }),
    threats: [...threats.entries()].map(([name, count]) => ({ name, count })),
    events,
    next: events.length === limit ? (events[events.length - 1]?.cursor ?? null) : null,
  };
}

/** `GET /api/threats?unit=hour|day|week`: events per threat per bucket, trend and recurrence. */
export async function threatsApi(ctx: DashboardContext, q: URLSearchParams, only?: string): Promise<unknown> {
  const unitName = unitParam(q.get('unit'));
  const unit = UNITS[unitName];
  const now = ctx.clock();
  const start = Math.floor(now / unit.bucketMs) * unit.bucketMs - (unit.buckets - 1) * unit.bucketMs;
  // Recurrence looks back further than the chart: a year of this threat's episodes.
  const rows = await ctx.store.threatTimes(Math.min(start, now - 365 * DAY_MS), only);
  const times = new Map<string, number[]>();
  for (const r of rows) {
    const list = times.get(r.threat) ?? [];
    list.push(r.ts);
    times.set(r.threat, list);
  }
  const buckets = Array.from({ length: unit.buckets }, (_, i) => start + i * unit.bucketMs);
  const threats = [...times.entries()].map(([id, ts]) => {
    const counts = new Array<number>(unit.buckets).fill(0);
    for (const t of ts) {
      const i = Math.floor((t - start) / unit.bucketMs);
      if (i >= 0 && i < unit.buckets) counts[i] = (counts[i] ?? 0) + 1;
    }
    const trend = trendOf(ts, now + 1, unit.trendMs);
    const recurrence = recurrenceOf(id, 'threat', ts);
    return {
      id,
      name: ctx.catalog.get(id)?.name ?? id,
      total: counts.reduce((a, b) => a + b, 0),
      counts,
      trend: { word: trend.word, recent: trend.recent, previous: trend.previous, changePct: trend.changePct },
      trendText: describeTrend(trend),
      episodes: recurrence.episodes.length,
      recurrenceText: describeRecurrence(recurrence),
    };
  });
  threats.sort((a, b) => b.total - a.total || a.id.localeCompare(b.id));
  return { unit: unitName, buckets, threats };
}

/** `GET /api/threats/ID`: the catalog page (what it is, aliases, advice, references) and its chart. */
export async function threatApi(ctx: DashboardContext, id: string, q: URLSearchParams): Promise<unknown> {
  const entry = ctx.catalog.get(id);
  const chart = (await threatsApi(ctx, q, id)) as { unit: string; buckets: number[]; threats: unknown[] };
  if (!entry && chart.threats.length === 0) throw new DashboardError('E_DASHBOARD_NOT_FOUND', `no threat ${id}`);
  return {
    threat: entry ?? { id, name: id },
    unit: chart.unit,
    buckets: chart.buckets,
    series: chart.threats[0] ?? null,
  };
}

/** `GET /api/stats`: the gateway's counters (when one runs here), the store's, the bans in force. */
export async function statsApi(ctx: DashboardContext): Promise<unknown> {
  const now = ctx.clock();
  const t = ctx.gateway ? await ctx.gateway.totals() : null;
  return {
    time: new Date(now).toISOString(),
    gateway: t
      ? {
          ...t.counts,
          upstreamLatency: t.latency,
          events: t.events,
          bansInMemory: t.bansInMemory,
          fleet: t.fleet,
          workers: t.workers,
        }
      : null,
    activeBans: await ctx.bans.countActive(now),
    eventsStored: await ctx.store.countEvents({}),
    lastHour: await ctx.store.countsByAction(now - HOUR_MS),
  };
}

function unitParam(text: string | null): ChartUnit {
  if (text === null) return 'day';
  if (text === 'hour' || text === 'day' || text === 'week') return text;
  throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `unit must be hour, day or week, not ${JSON.stringify(text)}`);
}

export function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = q.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

function timeParam(name: string, text: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(t)) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `${name}: not a time (ms or ISO 8601)`);
  return t;
}

function cursorParam(text: string): { ts: number; seq: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'before: not a cursor from a previous page');
  return { ts: Number(m[1]), seq: Number(m[2]) };
}

export function checkedIp(text: string): string {
  if (isIP(text) === 0) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'not an IP address');
  return text;
}
