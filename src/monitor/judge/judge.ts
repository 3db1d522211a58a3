import { type BehaviourSettings, HttpBehaviour, requestSignal } from '../../detect/behaviour/httpBehaviour.js';
import { type Finding, type NetworkFinding, worstFinding } from '../../detect/finding.js';
import { cidrPredicate } from '../../detect/operators/cidr.js';
import { type RememberingEngine, RequestMemo, remembers } from '../../detect/requestMemo.js';
import type { Engine, Match } from '../../detect/types.js';
import { hashId } from '../../events/eventHeader.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { toEvent } from '../../events/toEvent.js';
import { requestClient, type TrustedProxy } from '../../observe/forwardedClient.js';
import type { DatagramObservation, Endpoint, HttpObservation, HttpRequest } from '../../observe/observation.js';
import { latin1, parseRawRequest } from '../../observe/rawRequest.js';
import { connectionUid } from '../tcp/connectionUid.js';
import { RawKeys } from './rawKeys.js';
import { rawRequestKey } from './rawRequestKey.js';

/**
 * The judging half of the monitor: what the capture yields (HTTP requests cut from TCP
 * streams, UDP datagrams, ended connections, scan and flood alerts) in, events out: where the
 * shared engine runs, the costliest step per request. It runs on the packet path's thread: a
 * worker thread's hand-off (copying each request across, events back as JSON) cost more CPU
 * than it spared, and its start (a second isolate loading the bundle) more start-up than
 * compiling the rules lazily here (./lazyRules.ts).
 */
export interface Judge<C extends JudgedConnection = JudgedConnection> {
  request(conn: C, request: JudgedRequest): void;
  datagram(datagram: Datagram): void;
  /** The connection ended; a flow is reported when it had a detection (or every flow is wanted). */
  closed(conn: C): void;
  alert(alert: NetworkFinding): void;
  readonly counts: JudgeCounts;
}

/** What the judge knows of a TCP connection. */
export interface JudgedConnection {
  /** Serial number within the capture. */
  readonly id: number;
  /** Start, ms since the epoch. */
  readonly start: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Its uid, when the connection keeps one (computed once for its detections and its flow). */
  readonly uid?: string;
}

export interface JudgedRequest {
  /** Request line, headers and body prefix, as cut from the stream. */
  readonly raw: Uint8Array;
  readonly malformed: string | null;
  /** The response status, when the response was seen. */
  readonly status: number | null;
  /** Capture time of the request, ms since the epoch. */
  readonly time: number;
  /** Its place among the connection's requests (1 for the first): the de-duplication key numbers them. */
  readonly index: number;
}

/** A UDP datagram, read during the call only: its sender may refill it for the next (./reusedDatagram.ts). */
export interface Datagram {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly time: number;
  /** Frame number, for a de-duplication key unique within the capture. */
  readonly frame: number;
  readonly payload: Uint8Array;
}

export interface JudgeCounts {
  datagrams: number;
  detections: number;
  alerts: number;
  flows: number;
}

export interface JudgeOptions<C extends JudgedConnection> {
  /** The shared rule engine; null runs the network detectors only. */
  readonly engine: Engine | null;
  /** Catalog names for threat ids. */
  readonly threatName?: ((threatId: string) => string | undefined) | undefined;
  /** Report every connection as a flow, not only those with a detection. */
  readonly allFlows: boolean;
  /** The behaviours' limits: the site policy's (config/sitePolicy.ts), the config's over the built-in ones. */
  readonly behaviours: BehaviourSettings;
  /** CIDRs of proxies in front of the watched server: their X-Forwarded-For names the client. */
  readonly trustedProxies?: readonly string[] | undefined;
  readonly onEvent: (event: SecurityEvent) => void;
  /**
   * Where events are read by nobody but a count of detections by threat (`monitor --no-store`
   * without `--json`): each detection's threat id (its worst finding's, the event's
   * `threat.software.id`) is handed here instead, and no event is built — no detection's, no
   * flow's (a flow is still counted). Without it every event goes to `onEvent`.
   */
  readonly tally?: ((threatId: string) => void) | undefined;
  /** A connection to report as a flow (the one given to `closed`): its summary and packet records live with the caller. */
  readonly onFlow: (conn: C) => void;
}

const NO_MATCHES: readonly Match[] = [];
const EMPTY = new Uint8Array(0);

/** The observation the judge refills for each datagram (the engine keeps none between calls). */
type ReusedObservation = { -readonly [K in keyof DatagramObservation]: DatagramObservation[K] };

/** The judge on the calling thread. */
export class LocalJudge<C extends JudgedConnection> implements Judge<C> {
  readonly counts: JudgeCounts = { datagrams: 0, detections: 0, alerts: 0, flows: 0 };
  readonly #o: JudgeOptions<C>;
  /** Connections with a detection, by id. */
  readonly #detected = new Set<number>();
  /** Per-client runs of answered requests: path scans, password guessing (../../detect/behaviour/). */
  readonly #behaviour: HttpBehaviour;
  readonly #trusted: TrustedProxy | null;
  /**
   * Requests seen before and what the rules that read only the request found in them: a
   * client repeats its requests byte for byte, and a repeat is neither parsed nor judged by
   * those rules again. Kept from their second sighting: a capture of distinct requests would
   * otherwise keep thousands for nothing (9 % more instructions on one). Null for an engine
   * that cannot split them off.
   */
  readonly #memo: {
    readonly requests: RequestMemo;
    readonly engine: RememberingEngine;
    /** The keys of the requests it knows, by their bytes. */
    readonly keys: RawKeys;
  } | null;
  readonly #datagram: ReusedObservation = {
    kind: 'datagram',
    transport: 'udp',
    time: 0,
    sensor: 'monitor',
    source: { ip: '', port: 0 },
    destination: { ip: '', port: 0 },
    payload: EMPTY,
  };

  constructor(options: JudgeOptions<C>) {
    this.#o = options;
    this.#behaviour = new HttpBehaviour(options.behaviours);
    this.#trusted = cidrPredicate(options.trustedProxies ?? []);
    const engine = options.engine;
    this.#memo =
      engine !== null && remembers(engine)
        ? { requests: new RequestMemo({ admitOnRepeat: true }), engine, keys: new RawKeys() }
        : null;
  }

  request(conn: C, req: JudgedRequest): void {
    const engine = this.#o.engine;
    if (!engine) return;
    const index = req.index;
    const memo = this.#memo;
    // A repeat's key is found by its bytes: no text of it is made.
    const knownKey = memo === null ? null : memo.keys.known(req.raw, req.malformed);
    const text = knownKey === null ? latin1(req.raw) : null;
    const key = memo === null ? '' : (knownKey ?? rawRequestKey(text as string, req.malformed));
    const seen = memo?.requests.get(key);
    if (seen !== undefined && knownKey === null) memo?.keys.remember(req.raw, req.malformed, key);
    // A request seen before is shared by its Observations: nothing downstream changes it.
    const request = seen?.request ?? parseRawRequest(text ?? req.raw, req.malformed);
    const obs: HttpObservation = {
      kind: 'http',
      transport: 'tcp',
      time: req.time,
      sensor: 'monitor',
      source: this.#source(conn.client, request),
      destination: conn.server,
      request,
      status: req.status,
    };
    const matches = memo === null ? matchOnce(engine, obs) : memo.requests.match(memo.engine, key, seen, obs);
    if (matches.length > 0) this.#detection(conn, obs, matches, 'http', index);
    const signal = requestSignal(obs, req.status);
    if (signal === null) return;
    for (const finding of this.#behaviour.request(signal)) this.#detection(conn, obs, [finding], finding.ruleId, index);
  }

  /** The connection's client, or behind a trusted proxy the client its X-Forwarded-For names (port unknown). */
  #source(client: Endpoint, request: HttpRequest): Endpoint {
    if (this.#trusted === null) return client;
    const ip = requestClient(client.ip, request.headers, this.#trusted);
    return ip === client.ip ? client : { ip, port: 0 };
  }

  /** `kind` and `index` make its de-duplication key, with the connection's uid (a SHA-256, made only for an event). */
  #detection(conn: C, observation: HttpObservation, findings: readonly Finding[], kind: string, index: number): void {
    this.counts.detections++;
    this.#detected.add(conn.id);
    if (this.#tallied(findings)) return;
    this.#o.onEvent(
      toEvent(findings, {
        seen: 'observation',
        observation,
        action: 'detected',
        sensor: 'monitor',
        id: hashId(`monitor|${kind}|${uid(conn)}|${index}`),
        threatName: this.#o.threatName,
      }),
    );
  }

  datagram(d: Datagram): void {
    const engine = this.#o.engine;
    if (!engine) return;
    this.counts.datagrams++;
    const obs = this.#datagram;
    obs.time = d.time;
    obs.source = d.source;
    obs.destination = d.destination;
    obs.payload = d.payload;
    const matches = engine.match(obs);
    if (matches.length > 0) this.#datagramDetection(obs, matches, d.frame);
    // Nothing of the datagram outlives the call (its sender refills it for the next): the event
    // copied what it quotes, and the capture's bytes are let go.
    obs.payload = EMPTY;
  }

  #datagramDetection(obs: ReusedObservation, matches: readonly Match[], frame: number): void {
    this.counts.detections++;
    if (this.#tallied(matches)) return;
    const { source: s, destination: t } = obs;
    // The event quotes the payload's first 64 bytes (and gives their length as the datagram's).
    obs.payload = obs.payload.subarray(0, 64);
    this.#o.onEvent(
      toEvent(matches, {
        seen: 'observation',
        observation: obs,
        action: 'detected',
        sensor: 'monitor',
        id: hashId(`monitor|udp|${s.ip}|${s.port}|${t.ip}|${t.port}|${obs.time}|${frame}`),
        threatName: this.#o.threatName,
      }),
    );
  }

  closed(conn: C): void {
    const detected = this.#detected.delete(conn.id);
    if (!detected && !this.#o.allFlows) return;
    this.counts.flows++;
    if (this.#o.tally === undefined) this.#o.onFlow(conn);
  }

  alert(finding: NetworkFinding): void {
    this.counts.alerts++;
    if (this.#tallied([finding])) return;
    this.#o.onEvent(
      toEvent(finding, {
        seen: 'finding',
        action: 'detected',
        sensor: 'monitor',
        id: hashId(`monitor|${finding.ruleId}|${finding.source.ip}|${finding.time}`),
        threatName: this.#o.threatName,
      }),
    );
  }

  /** Where only a tally is kept: the detection counted by its threat, and no event is to be built. */
  #tallied(findings: readonly Finding[]): boolean {
    const tally = this.#o.tally;
    if (tally === undefined) return false;
    tally(worstFinding(findings)?.threatId ?? 'unnamed');
    return true;
  }
}

/** `match`'s answer, the engine's cheap test first: nearly every request is plain and harmless. */
function matchOnce(engine: Engine, observation: HttpObservation): readonly Match[] {
  return engine.mayMatch?.(observation) === false ? NO_MATCHES : engine.match(observation);
}

/** The connection's uid, a SHA-256: made only for a detection's de-duplication key (the connection's own when it keeps one). */
function uid(conn: JudgedConnection): string {
  return conn.uid ?? connectionUid(conn.start, conn.client, conn.server);
}
