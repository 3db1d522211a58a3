/**
 * The Observation: what a sensor saw, in one shape. The gateway, the packet monitor (after TCP
 * reassembly) and the access-log reader all build it, so one rule set serves all three.
 */

export type Sensor = 'gateway' | 'monitor' | 'logs' | 'cli';

export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** How the request target is written (RFC 9112 §3.2), plus `malformed` for what fits none. */
export type TargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk' | 'malformed';

export interface Authority {
  /** Lower-cased host name or address, without brackets for IPv6. */
  readonly host: string;
  /** The explicit port, or null when the target names none. */
  readonly port: number | null;
}

/** One HTTP request as received: every field is attacker-controlled and bounded. */
export interface HttpRequest {
  /** The request line exactly as received (latin1, bounded, without CRLF) — even when malformed. */
  readonly line: string;
  /** True when the line was cut at the bound. */
  readonly lineTruncated: boolean;
  readonly method: string;
  readonly target: string;
  /** `HTTP/1.1`, `HTTP/1.0`, … or '' when the line carries none. */
  readonly version: string;
  readonly form: TargetForm;
  /** For absolute and authority forms: whom the client asked us to reach. */
  readonly authority: Authority | null;
  /** Raw path (not decoded) and raw query string without `?`. */
  readonly path: string;
  readonly query: string;
  /** Header fields in order of arrival; names lower-cased, values as received. */
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** The first bytes of the body (latin1), bounded. */
  readonly bodyPrefix: string;
  /** Why the request line or headers are malformed, when they are. */
  readonly malformed: string | null;
}

interface ObservationBase {
  /** Milliseconds since the epoch, from the sensor (wire time, log time or accept time). */
  readonly time: number;
  readonly sensor: Sensor;
  readonly source: Endpoint;
  readonly destination: Endpoint;
}

/** An HTTP request, from the gateway, a reassembled TCP stream or an access-log line. */
export interface HttpObservation extends ObservationBase {
  readonly kind: 'http';
  readonly transport: 'tcp';
  readonly request: HttpRequest;
  /** The response status, where the sensor knows it (access logs, the monitor). */
  readonly status: number | null;
}

/** A single datagram with its payload, for network-level rules (SQL Slammer on UDP 1434). */
export interface DatagramObservation extends ObservationBase {
  readonly kind: 'datagram';
  readonly transport: 'udp';
  readonly payload: Uint8Array;
}

export type Observation = HttpObservation | DatagramObservation;

/** Bounds applied by every sensor, so that evidence and matching cost stay bounded. */
export const LIMITS = {
  requestLine: 8192,
  headerCount: 100,
  headerValue: 8192,
  bodyPrefix: 4096,
} as const;
