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
  /** `domain`: the host a proxy abuser asked for (the honeypot's sessions). */
  destination?: { ip: string; port?: number; domain?: string };
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
  /** A message the honeypot took and never delivered: the envelope as the abuser gave it, headers it wrote. */
  email?: {
    direction?: 'inbound';
    from?: { address: string[] };
    to?: { address: string[] };
    subject?: string;
    message_id?: string;
    /** The queue id the abuser was told (`250 … queued as ID`). */
    local_id?: string;
    x_mailer?: string;
  };
  /** `server_name`: the SNI of a TLS ClientHello sent into a honeypot tunnel. */
  tls?: { client?: { server_name?: string } };
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
    honeypot?: HoneypotRecord;
  };
}

/** What a honeypot session did (sensor `honeypot`): what was asked for, what was said, where it is kept. */
export interface HoneypotRecord {
  /** Shared by the session's events; `bansho honeypot show ID`. */
  session: string;
  /** What the abuser was given. */
  service: 'smtp' | 'irc' | 'silent' | 'proxy-judge' | 'irc-probe';
  /** `host:port` of a CONNECT, or the absolute-form URL. */
  requested: string;
  bytes_in?: number;
  bytes_out?: number;
  /** Why the session ended (`quit`, `idle`, `budget`, …). */
  end?: string;
  helo?: string;
  auth?: Array<{ mechanism: string; username: string }>;
  messages?: number;
  irc?: {
    nick?: string;
    user?: string;
    realname?: string;
    channels: string[];
    messages: Array<{ target: string; text: string }>;
  };
  /** The first bytes of a silent tunnel, printable (`\xNN` for the rest). */
  first_bytes?: string;
  /** A quarantined message's file (0600) or why none was kept. */
  quarantine?: { file: string; bytes: number; sha256: string; truncated: boolean } | { refused: string };
}
