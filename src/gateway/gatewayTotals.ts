import type { SecurityEvent } from '../events/securityEvent.js';
import type { FleetState, FleetStats } from '../store/fleet/fleetLinkOptions.js';
import type { EventSinkStats } from './eventSink.js';
import { LATENCY_BOUNDS, LatencyHistogram } from './latencyHistogram.js';
import type { GatewayStats } from './stats.js';

/** The gateway's plain running counts (GatewayStats less its histogram). */
export type GatewayCounts = { readonly [K in Exclude<keyof GatewayStats, 'upstreamLatency'>]: number };

const COUNT_NAMES = [
  'requests',
  'forwarded',
  'refused',
  'engineErrors',
  'slowBodies',
  'overLimit',
  'upstreamFull',
  'tunnelsClosedByBan',
  'sendTimeouts',
  'upstreamErrors',
] as const satisfies ReadonlyArray<keyof GatewayCounts>;

const SINK_NAMES = [
  'written',
  'failed',
  'spilled',
  'replayed',
  'lost',
  'outputFailed',
] as const satisfies ReadonlyArray<keyof EventSinkStats>;

const FLEET_COUNT_NAMES = ['outages', 'catchUps', 'eventsShipped', 'bansShipped', 'bansReceived'] as const;

/** The events a process queued, by action: `dropped` counts connections, the others events by threat id ('' for none). */
export interface Outcomes {
  readonly dropped: number;
  readonly blocked: Readonly<Record<string, number>>;
  readonly banned: Readonly<Record<string, number>>;
  readonly detected: Readonly<Record<string, number>>;
}

export type OutcomeAction = Exclude<keyof Outcomes, 'dropped'>;
export const OUTCOME_ACTIONS: readonly OutcomeAction[] = ['blocked', 'banned', 'detected'];

/**
 * One gateway process's running totals as plain data: what crosses the cluster's IPC channel
 * and adds up across a pool of workers, so the one dashboard of `serve --workers N` reports
 * the pool and not the worker it runs in.
 */
export interface GatewayTotals {
  readonly counts: GatewayCounts;
  /** Per bucket, not cumulative (+Inf last), as LatencyHistogram keeps them. */
  readonly latency: { readonly counts: readonly number[]; readonly sum: number; readonly count: number };
  readonly events: EventSinkStats;
  readonly outcomes: Outcomes;
  readonly bansInMemory: number;
  readonly fleet: FleetStats | null;
  /** The live processes these totals are of: 1, or the workers of a pool that replied. */
  readonly workers: number;
}

/** The events a gateway queues, counted as it queues them (its `onEvent` hook). */
export class OutcomeCounts {
  #dropped = 0;
  readonly #byAction: Record<OutcomeAction, Record<string, number>> = { blocked: {}, banned: {}, detected: {} };

  observe(event: SecurityEvent): void {
    const action = event.event.action;
    if (action === 'dropped') this.#dropped += event.event.count ?? 1;
    else if (action === 'blocked' || action === 'banned' || action === 'detected') {
      const threat = event.threat?.software?.id ?? '';
      const counts = this.#byAction[action];
      counts[threat] = (counts[threat] ?? 0) + 1;
    }
  }

  snapshot(): Outcomes {
    return { dropped: this.#dropped, ...structuredClone(this.#byAction) };
  }
}

/** What a live gateway process reports of itself. */
export interface TotalsSource {
  readonly stats: GatewayStats;
  readonly events: { readonly stats: EventSinkStats };
  readonly bans: { readonly list: { readonly size: number } };
  readonly fleet: FleetStats | null;
}

export function totalsOf(g: TotalsSource, outcomes: Outcomes): GatewayTotals {
  const counts = {} as Record<keyof GatewayCounts, number>;
  for (const name of COUNT_NAMES) counts[name] = g.stats[name];
  const h = g.stats.upstreamLatency;
  return {
    counts,
    latency: { counts: [...h.counts], sum: h.sum, count: h.count },
    events: { ...g.events.stats },
    outcomes,
    bansInMemory: g.bans.list.size,
    fleet: g.fleet === null ? null : { ...g.fleet },
    workers: 1,
  };
}

export function emptyTotals(): GatewayTotals {
  return totalsOf(
    {
      stats: {
        ...(Object.fromEntries(COUNT_NAMES.map((n) => [n, 0])) as GatewayCounts),
        upstreamLatency: new LatencyHistogram(),
      },
      events: { stats: Object.fromEntries(SINK_NAMES.map((n) => [n, 0])) as unknown as EventSinkStats },
      bans: { list: { size: 0 } },
      fleet: null,
    },
    { dropped: 0, blocked: {}, banned: {}, detected: {} },
  );
}

/**
 * The pool's totals: counts add up; the ban list is the same in every worker (the largest is
 * the most up to date); each worker has its own fleet link on the journal they share, so the
 * link is up only when every one is, and the backlog is the journal's (the largest reading).
 */
export function addTotals(a: GatewayTotals, b: GatewayTotals): GatewayTotals {
  const counts = {} as Record<keyof GatewayCounts, number>;
  for (const name of COUNT_NAMES) counts[name] = a.counts[name] + b.counts[name];
  const events = {} as Record<keyof EventSinkStats, number>;
  for (const name of SINK_NAMES) events[name] = a.events[name] + b.events[name];
  return {
    counts,
    latency: {
      counts: a.latency.counts.map((n, i) => n + (b.latency.counts[i] ?? 0)),
      sum: a.latency.sum + b.latency.sum,
      count: a.latency.count + b.latency.count,
    },
    events,
    outcomes: {
      dropped: a.outcomes.dropped + b.outcomes.dropped,
      blocked: addRecords(a.outcomes.blocked, b.outcomes.blocked),
      banned: addRecords(a.outcomes.banned, b.outcomes.banned),
      detected: addRecords(a.outcomes.detected, b.outcomes.detected),
    },
    bansInMemory: Math.max(a.bansInMemory, b.bansInMemory),
    fleet: addFleet(a.fleet, b.fleet),
    workers: a.workers + b.workers,
  };
}

function addRecords(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}

const STATE_RANK: Readonly<Record<FleetState, number>> = { down: 0, connecting: 1, up: 2 };

function addFleet(a: FleetStats | null, b: FleetStats | null): FleetStats | null {
  if (a === null || b === null) return a ?? b;
  const counts = {} as Record<(typeof FLEET_COUNT_NAMES)[number], number>;
  for (const name of FLEET_COUNT_NAMES) counts[name] = a[name] + b[name];
  return {
    ...counts,
    state: STATE_RANK[a.state] <= STATE_RANK[b.state] ? a.state : b.state,
    backlog: Math.max(a.backlog, b.backlog),
  };
}

/**
 * The shape checked at the IPC boundary: totals from a sibling are numbers where numbers are
 * expected, or they are not added at all (never half-added).
 */
export function isGatewayTotals(value: unknown): value is GatewayTotals {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  const latency = t.latency as { counts?: unknown; sum?: unknown; count?: unknown } | null;
  const outcomes = t.outcomes as Record<string, unknown> | null;
  return (
    numbersAt(t.counts, COUNT_NAMES) &&
    numbersAt(t.events, SINK_NAMES) &&
    typeof t.bansInMemory === 'number' &&
    typeof t.workers === 'number' &&
    typeof latency === 'object' &&
    latency !== null &&
    Array.isArray(latency.counts) &&
    latency.counts.length === LATENCY_BOUNDS.length + 1 &&
    latency.counts.every((n) => typeof n === 'number') &&
    typeof latency.sum === 'number' &&
    typeof latency.count === 'number' &&
    typeof outcomes === 'object' &&
    outcomes !== null &&
    typeof outcomes.dropped === 'number' &&
    OUTCOME_ACTIONS.every((a) => isCountRecord(outcomes[a])) &&
    (t.fleet === null || isFleetStats(t.fleet))
  );
}

function numbersAt(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return names.every((n) => typeof r[n] === 'number');
}

function isCountRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).every((n) => typeof n === 'number');
}

function isFleetStats(value: unknown): boolean {
  const f = value as { state?: unknown; backlog?: unknown } | null;
  return (
    numbersAt(value, FLEET_COUNT_NAMES) &&
    typeof f?.backlog === 'number' &&
    typeof f.state === 'string' &&
    f.state in STATE_RANK
  );
}
