/**
 * The SecurityEvent: the one record everything downstream reads (store, trends, web, reports).
 * Field names follow the Elastic Common Schema, so the JSON lines drop into Elastic, OpenSearch,
 * Loki or Wazuh unchanged; what ECS has no name for lives under `bansho.*`.
 */

/**
 * What happened:
 * - `blocked`: answered 400 and closed, nothing forwarded;
 * - `banned` / `unbanned`: a source entered or left the ban list;
 * - `dropped`: connections from a banned source closed at accept (one event per burst, with a count);
 * - `detected`: a passive sensor (monitor, logs) or a `log` rule saw a threat;
 * - `flow`: a summarised connection (Zeek conn.log-like), for trends.
 */
export type EventAction = 'blocked' | 'banned' | 'unbanned' | 'dropped' | 'detected' | 'flow';

export type SensorName = 'gateway' | 'monitor' | 'logs' | 'cli' | 'honeypot';

export interface SecurityEvent {
  '@timestamp': string;
  message: string;
  event: {
    /** Stable id; producers that may see the same fact twice (log re-import) derive it from content. */
    id: string;
    kind: 'alert' | 'event' | 'metric';
    category: string[];
    type: string[];
    action: EventAction;
    outcome?: 'success' | 'failure' | 'unknown';
    module: 'bansho';
    dataset: `bansho.${SensorName}`;
    /** 0–100, from the worst matching rule. */
    severity?: number;
    /** For aggregated events (`dropped`): how many facts this one stands for. */
    count?: number;
    start?: string;
    end?: string;
  };
  source: { ip: string; port?: number };
  destination?: { ip: string; port?: number };
  network?: { transport: string; protocol?: string };
  http?: {
    version?: string;
    request?: { method?: string; bytes?: number };
    response?: { status_code?: number; bytes?: number };
  };
  url?: { original?: string; path?: string; query?: string; domain?: string; port?: number };
  user_agent?: { original: string };
  rule?: { id: string; name: string; ruleset: 'bansho'; category?: string };
  threat?: { software?: { id: string; name: string; type?: string; alias?: string[] } };
  bansho: {
    sensor: SensorName;
    /** The raw request line (bounded) or packet-log line: the evidence, as received. */
    evidence?: string;
    score?: number;
    matches?: Array<{ rule: string; threat: string; score: number; field: string; value: string }>;
    ban?: { target: string; until: string; duration_s: number; offence: number; reason: string };
    /** Where a log-sourced event came from, so re-imports are recognised. */
    origin?: { file: string; line: number };
    /** Flow summary (Zeek conn.log names) for `flow` events. */
    flow?: Record<string, string | number>;
  };
}
