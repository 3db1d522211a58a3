import { LatencyHistogram } from './latencyHistogram.js';

/** The gateway's running counts, for tests, logs and (later) metrics. Plain numbers, bumped inline. */
export interface GatewayStats {
  requests: number;
  forwarded: number;
  refused: number;
  /** Rule-engine failures (each logged with its request line). */
  engineErrors: number;
  /** Request bodies cut for falling under the minimum rate. */
  slowBodies: number;
  /** Connections or requests refused for a source over its share. */
  overLimit: number;
  /** Requests answered 503 because every upstream connection and the queue were taken. */
  upstreamFull: number;
  /** Upgraded connections closed because their source was banned. */
  tunnelsClosedByBan: number;
  /** Connections cut because the client read nothing of its answer for the send timeout. */
  sendTimeouts: number;
  /** Forwarded requests the upstream failed: answered 502/504 by the gateway, or cut mid-answer. */
  upstreamErrors: number;
  /** From forwarding a request to the upstream's status line. */
  readonly upstreamLatency: LatencyHistogram;
}

export function newStats(): GatewayStats {
  return {
    requests: 0,
    forwarded: 0,
    refused: 0,
    engineErrors: 0,
    slowBodies: 0,
    overLimit: 0,
    upstreamFull: 0,
    tunnelsClosedByBan: 0,
    sendTimeouts: 0,
    upstreamErrors: 0,
    upstreamLatency: new LatencyHistogram(),
  };
}
