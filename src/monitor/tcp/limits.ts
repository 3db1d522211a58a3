/** Bounds on what the conversation table holds, so that no capture can make it grow without end. */
export interface ConnectionLimits {
  /** Conversations tracked at once; the oldest is closed and forgotten beyond this. */
  readonly maxConnections: number;
  /** Out-of-order bytes held per direction. */
  readonly maxBufferedPerStream: number;
  /** Out-of-order bytes held over all connections; the oldest connections are closed beyond this. */
  readonly maxBufferedTotal: number;
  /** A connection silent this long (capture time) is closed. */
  readonly idleMs: number;
  /** Requests waiting for their response per connection, before they are reported without a status. */
  readonly maxPendingRequests: number;
  /** Packet-log lines kept per connection as evidence. */
  readonly maxLines: number;
  /** HTTP requests kept per connection as evidence (its http.log records). */
  readonly maxTransactions: number;
  /**
   * Ended connections whose conversations are remembered, so that their trailing ACKs and RSTs
   * are read as theirs (and tshark's numbers for them stay right); the earliest ended are
   * forgotten beyond this.
   */
  readonly maxEnded: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 100_000,
  maxBufferedPerStream: 1 << 20,
  maxBufferedTotal: 64 << 20,
  idleMs: 5 * 60_000,
  maxPendingRequests: 16,
  maxLines: 64,
  maxTransactions: 16,
  maxEnded: 8192,
};
