import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { emptyTotals, type GatewayTotals, OUTCOME_ACTIONS, type OutcomeAction } from '../gateway/gatewayTotals.js';
import { LATENCY_BOUNDS } from '../gateway/latencyHistogram.js';
import type { FleetStats } from '../store/fleet/fleetLinkOptions.js';
import type { LiveGateway } from './dashboardContext.js';

/** Label for events of no threat, and for a threat id the catalog does not know (a bounded set either way). */
const NO_THREAT = 'none';
const UNKNOWN_THREAT = 'other';

const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** The counts by threat kept from the events, one counter per action. */
const BY_THREAT: Readonly<Record<OutcomeAction, readonly [name: string, help: string]>> = {
  blocked: ['bansho_blocked_requests_total', 'Requests refused (answered 400 and closed), by threat.'],
  banned: ['bansho_bans_total', 'Sources banned, by the threat that earned the ban.'],
  detected: [
    'bansho_detections_total',
    'Threats seen and recorded without a refusal (log rules, passive sensors), by threat.',
  ],
};

/** A running total kept elsewhere, exported as a counter: its name, its help, how to read it. */
type Total<From> = readonly [name: string, help: string, read: (from: From) => number];

/** The gateway's own running totals (every worker's, with `serve --workers N`). */
const GATEWAY_TOTALS: ReadonlyArray<Total<GatewayTotals>> = [
  ['bansho_requests_total', 'HTTP requests the gateway judged: forwarded or refused.', (t) => judged(t)],
  ['bansho_forwarded_requests_total', 'Requests passed to the upstream.', (t) => t.counts.forwarded],
  ['bansho_refused_requests_total', 'Requests the gateway refused, any reason.', (t) => t.counts.refused],
  [
    'bansho_upstream_saturated_total',
    'Requests answered 503: every upstream connection and the queue taken.',
    (t) => t.counts.upstreamFull,
  ],
  ['bansho_rule_engine_errors_total', 'Rule-engine failures.', (t) => t.counts.engineErrors],
  [
    'bansho_over_limit_total',
    'Connections or requests refused for a source over its share.',
    (t) => t.counts.overLimit,
  ],
  [
    'bansho_upstream_errors_total',
    'Forwarded requests the upstream failed (502/504 from the gateway, or an answer cut short).',
    (t) => t.counts.upstreamErrors,
  ],
  ['bansho_events_written_total', 'Events the store took.', (t) => t.events.written],
  ['bansho_event_write_failures_total', 'Event store writes that failed (each retry counts).', (t) => t.events.failed],
  [
    'bansho_events_spilled_total',
    'Events put in the spill file while the store refused writes.',
    (t) => t.events.spilled,
  ],
  ['bansho_events_lost_total', 'Events neither the store nor the spill file took.', (t) => t.events.lost],
  ['bansho_dropped_connections_total', 'Connections from banned sources closed at accept.', (t) => t.outcomes.dropped],
];

/** The fleet link's: outages and catch-ups (each also logged), what went each way. */
const FLEET_TOTALS: ReadonlyArray<Total<FleetStats>> = [
  ['bansho_fleet_outages_total', 'Times PostgreSQL became unreachable or too slow.', (f) => f.outages],
  ['bansho_fleet_catchups_total', 'Outages after which the journal was shipped in full.', (f) => f.catchUps],
  ['bansho_fleet_events_shipped_total', 'Events shipped from the journal to PostgreSQL.', (f) => f.eventsShipped],
  ['bansho_fleet_ban_changes_shipped_total', "This gateway's ban changes shipped to PostgreSQL.", (f) => f.bansShipped],
  ['bansho_fleet_bans_received_total', "Other gateways' ban changes applied here.", (f) => f.bansReceived],
];

export interface MetricsOptions {
  readonly gateway: LiveGateway | null;
  /** Export the fleet link's counters (serve with --store postgres://…). */
  readonly fleet?: boolean;
  /** The threat ids a label may take: the catalog's. */
  readonly threatIds: ReadonlySet<string>;
  readonly activeBans: () => Promise<number>;
}

/**
 * bansho's Prometheus metrics, in a registry of its own (the process may hold others). The
 * gateway's running totals — with `serve --workers N`, every worker's added up — are read once
 * per scrape; the counts by threat are those of the events the gateway queued, so they match
 * what the store receives. Labels are threat ids from the catalog or `none`/`other`, never a
 * source address. The `process_` and `nodejs_` metrics are the dashboard's own process.
 */
export class DashboardMetrics {
  readonly registry = new Registry();
  readonly #gateway: LiveGateway | null;
  /** The gateway's totals as read for the scrape in progress. */
  #totals: GatewayTotals = emptyTotals();

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    this.#gateway = options.gateway;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // Gauges prom-client names `_total`, which promtool rejects; the per-type gauges beside them carry the same counts.
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    const totals = () => this.#totals;
    for (const action of OUTCOME_ACTIONS) byThreat(registers, action, options.threatIds, totals);
    new Gauge({
      name: 'bansho_active_bans',
      help: 'Bans in force in the store.',
      registers,
      async collect() {
        this.set(await options.activeBans());
      },
    });
    if (options.gateway === null) return;
    for (const [name, help, read] of GATEWAY_TOTALS) mirror(registers, name, help, () => read(this.#totals));
    for (const r of registers) r.registerMetric(upstreamLatency(() => this.#totals.latency) as never);
    if (options.fleet) fleetMetrics(registers, () => this.#totals.fleet);
  }

  async exposition(): Promise<string> {
    if (this.#gateway !== null) this.#totals = await this.#gateway.totals();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Requests judged: the gateway's own `requests` count leaves out what node's parser refused
 * (PrettyPark's four-token CONNECT) and CONNECT itself, which are exactly the attacks.
 */
export function judged(t: GatewayTotals): number {
  return t.counts.forwarded + t.counts.refused;
}

/** One action's counts by threat; ids the catalog does not know share `other` (a bounded set of labels). */
function byThreat(
  registers: Registry[],
  action: OutcomeAction,
  threatIds: ReadonlySet<string>,
  totals: () => GatewayTotals,
): void {
  const [name, help] = BY_THREAT[action];
  new Counter({
    name,
    help,
    labelNames: ['threat'],
    registers,
    collect() {
      this.reset();
      for (const [id, n] of Object.entries(totals().outcomes[action]))
        this.inc({ threat: id === '' ? NO_THREAT : threatIds.has(id) ? id : UNKNOWN_THREAT }, n);
    },
  });
}

/** The fleet link's: outages and catch-ups (each also logged), what went each way, what waits. */
function fleetMetrics(registers: Registry[], fleet: () => FleetStats | null): void {
  new Gauge({
    name: 'bansho_fleet_up',
    help: "1 while every worker's link to the fleet PostgreSQL works; 0 while the gateway runs on its journal alone.",
    registers,
    collect() {
      this.set(fleet()?.state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'bansho_fleet_journal_backlog_events',
    help: 'Events in the local journal not yet in PostgreSQL.',
    registers,
    collect() {
      this.set(fleet()?.backlog ?? 0);
    },
  });
  for (const [name, help, read] of FLEET_TOTALS)
    mirror(registers, name, help, () => {
      const f = fleet();
      return f ? read(f) : 0;
    });
}

/** A counter whose value is a running total kept elsewhere, read at scrape time. */
function mirror(registers: Registry[], name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      // A Counter cannot be set; reset-then-add gives the running total without a window of error.
      this.reset();
      this.inc(read());
    },
  });
}

/**
 * `bansho_upstream_response_seconds`: the gateway's own fixed-bucket counts
 * (../gateway/latencyHistogram.ts), exported at scrape time as a Prometheus histogram.
 */
function upstreamLatency(read: () => GatewayTotals['latency']) {
  const name = 'bansho_upstream_response_seconds';
  return {
    name,
    help: 'Time from forwarding a request to the upstream status line.',
    type: 'histogram',
    aggregator: 'sum',
    collect() {},
    reset() {},
    get() {
      const h = read();
      let cumulative = 0;
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      LATENCY_BOUNDS.forEach((le, i) => {
        cumulative += h.counts[i] as number;
        values.push({ labels: { le }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, value: h.count, metricName: `${name}_bucket` });
      values.push({ labels: {}, value: h.sum, metricName: `${name}_sum` });
      values.push({ labels: {}, value: h.count, metricName: `${name}_count` });
      return { name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
    },
  };
}
