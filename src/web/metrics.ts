import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { SecurityEvent } from '../events/securityEvent.js';
import { LATENCY_BOUNDS, type LatencyHistogram } from '../gateway/latencyHistogram.js';
import type { LiveGateway } from './dashboardContext.js';

/** Label for events of no threat, and for a threat id the catalog does not know (a bounded set either way). */
const NO_THREAT = 'none';
const UNKNOWN_THREAT = 'other';

const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface MetricsOptions {
  readonly gateway: LiveGateway | null;
  /** The threat ids a label may take: the catalog's. */
  readonly threatIds: ReadonlySet<string>;
  readonly activeBans: () => number;
}

/**
 * bansho's Prometheus metrics, in a registry of its own (the process may hold others). Counters
 * of the gateway's own running totals are read when scraped; counts by threat are kept from the
 * events as the gateway queues them (`observe`), so they match what the store receives. Labels
 * are threat ids from the catalog or `none`/`other`, never a source address.
 */
export class DashboardMetrics {
  readonly registry = new Registry();
  readonly #blocked: Counter<'threat'>;
  readonly #banned: Counter<'threat'>;
  readonly #detected: Counter<'threat'>;
  readonly #dropped: Counter;
  readonly #threatIds: ReadonlySet<string>;

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    this.#threatIds = options.threatIds;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // Gauges prom-client names `_total`, which promtool rejects; the per-type gauges beside them carry the same counts.
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    this.#blocked = new Counter({
      name: 'bansho_blocked_requests_total',
      help: 'Requests refused (answered 400 and closed), by threat.',
      labelNames: ['threat'],
      registers,
    });
    this.#banned = new Counter({
      name: 'bansho_bans_total',
      help: 'Sources banned, by the threat that earned the ban.',
      labelNames: ['threat'],
      registers,
    });
    this.#detected = new Counter({
      name: 'bansho_detections_total',
      help: 'Threats seen and recorded without a refusal (log rules, passive sensors), by threat.',
      labelNames: ['threat'],
      registers,
    });
    this.#dropped = new Counter({
      name: 'bansho_dropped_connections_total',
      help: 'Connections from banned sources closed at accept.',
      registers,
    });
    new Gauge({
      name: 'bansho_active_bans',
      help: 'Bans in force in the store.',
      registers,
      collect() {
        this.set(options.activeBans());
      },
    });
    const g = options.gateway;
    if (g === null) return;
    mirror(registers, 'bansho_requests_total', 'HTTP requests the gateway judged: forwarded or refused.', () =>
      judged(g),
    );
    mirror(registers, 'bansho_forwarded_requests_total', 'Requests passed to the upstream.', () => g.stats.forwarded);
    mirror(
      registers,
      'bansho_refused_requests_total',
      'Requests the gateway refused, any reason.',
      () => g.stats.refused,
    );
    mirror(
      registers,
      'bansho_upstream_saturated_total',
      'Requests answered 503: every upstream connection and the queue taken.',
      () => g.stats.upstreamFull,
    );
    mirror(registers, 'bansho_rule_engine_errors_total', 'Rule-engine failures.', () => g.stats.engineErrors);
    mirror(
      registers,
      'bansho_over_limit_total',
      'Connections or requests refused for a source over its share.',
      () => g.stats.overLimit,
    );
    mirror(
      registers,
      'bansho_upstream_errors_total',
      'Forwarded requests the upstream failed (502/504 from the gateway, or an answer cut short).',
      () => g.stats.upstreamErrors,
    );
    for (const r of registers) r.registerMetric(upstreamLatency(() => g.stats.upstreamLatency) as never);
    mirror(registers, 'bansho_events_written_total', 'Events the store took.', () => g.events.stats.written);
    mirror(
      registers,
      'bansho_event_write_failures_total',
      'Event store writes that failed (each retry counts).',
      () => g.events.stats.failed,
    );
    mirror(
      registers,
      'bansho_events_spilled_total',
      'Events put in the spill file while the store refused writes.',
      () => g.events.stats.spilled,
    );
    mirror(
      registers,
      'bansho_events_lost_total',
      'Events neither the store nor the spill file took.',
      () => g.events.stats.lost,
    );
  }

  /** Count one event as the gateway queues it (its `onEvent` hook). */
  observe(event: SecurityEvent): void {
    const threat = this.#label(event.threat?.software?.id);
    switch (event.event.action) {
      case 'blocked':
        this.#blocked.inc({ threat });
        break;
      case 'banned':
        this.#banned.inc({ threat });
        break;
      case 'detected':
        this.#detected.inc({ threat });
        break;
      case 'dropped':
        this.#dropped.inc(event.event.count ?? 1);
        break;
      default:
        break;
    }
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #label(id: string | undefined): string {
    if (id === undefined) return NO_THREAT;
    return this.#threatIds.has(id) ? id : UNKNOWN_THREAT;
  }
}

/**
 * Requests judged: the gateway's own `requests` count leaves out what node's parser refused
 * (PrettyPark's four-token CONNECT) and CONNECT itself, which are exactly the attacks.
 */
export function judged(g: LiveGateway): number {
  return g.stats.forwarded + g.stats.refused;
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
function upstreamLatency(read: () => LatencyHistogram) {
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
