import type { Engine } from '../detect/types.js';
import { eventFromObservation } from '../events/fromObservation.js';
import type { DatagramObservation, HttpObservation } from '../observe/observation.js';
import { parseRawRequest } from '../observe/rawRequest.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import { type Frame, frameTimeMs } from './capture/frame.js';
import { type DecodedPacket, decodePacket } from './decode/packet.js';
import type { NetworkAlert } from './detect/networkAlert.js';
import { PortScanDetector } from './detect/portScan.js';
import { SynFloodDetector } from './detect/synFlood.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './detect/thresholds.js';
import { alertEvent, flowEvent } from './events.js';
import type { MacNames } from './log/names.js';
import { PacketLog } from './log/packetLog.js';
import { type ConnectionLimits, ConnectionTracker, type ConnectionView, connectionKey } from './streams/connections.js';
import type { CutRequest } from './streams/httpCutter.js';

export interface MonitorOptions {
  /** The shared rule engine; null runs the network detectors only. */
  readonly engine: Engine | null;
  /** Catalog names for threat ids. */
  readonly threatName?: (threatId: string) => string | undefined;
  readonly thresholds?: Thresholds;
  /** Compute the packet log (tshark-format lines). */
  readonly log: boolean;
  /** Only log packets to or from this address (the incident view). */
  readonly source?: string | null;
  /** Summarise every connection as a flow event, not only those with a detection. */
  readonly allFlows?: boolean;
  readonly limits?: Partial<ConnectionLimits>;
  readonly macNames?: MacNames;
  readonly onLine?: (line: string) => void;
  readonly onEvent: (event: SecurityEvent) => void;
}

export interface MonitorStats {
  frames: number;
  decodeErrors: number;
  requests: number;
  datagrams: number;
  detections: number;
  alerts: number;
  flows: number;
}

/**
 * The packet monitor: frames in; packet-log lines, detections (the shared engine on HTTP
 * requests and UDP datagrams, plus scan and flood detectors) and flow summaries out. Passive:
 * it records and names, it never blocks.
 */
export class Monitor {
  readonly stats: MonitorStats = {
    frames: 0,
    decodeErrors: 0,
    requests: 0,
    datagrams: 0,
    detections: 0,
    alerts: 0,
    flows: 0,
  };
  readonly #o: MonitorOptions;
  readonly #log: PacketLog | null;
  readonly #tracker: ConnectionTracker;
  readonly #scans: PortScanDetector;
  readonly #floods: SynFloodDetector;
  readonly #detected = new Set<ConnectionView>();
  readonly #requestIndex = new Map<ConnectionView, number>();

  constructor(options: MonitorOptions) {
    this.#o = options;
    const t = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#log = options.log ? new PacketLog(options.macNames ? { macNames: options.macNames } : {}) : null;
    this.#scans = new PortScanDetector(t.portScan);
    this.#floods = new SynFloodDetector(t.synFlood);
    this.#tracker = new ConnectionTracker(
      {
        request: (conn, req, status, time) => this.#request(conn, req, status, time),
        closed: (conn) => this.#closed(conn),
      },
      options.limits ?? {},
    );
  }

  frame(frame: Frame): void {
    this.stats.frames++;
    const p = decodePacket(frame);
    if (p.error) this.stats.decodeErrors++;
    const time = frameTimeMs(frame);
    const t = p.transport;
    const key =
      t.kind === 'tcp'
        ? connectionKey(p.ip!.source, t.tcp.sourcePort, p.ip!.destination, t.tcp.destinationPort)
        : undefined;
    let line: string | null = null;
    if (this.#log) {
      line = this.#log.line(p, key);
      if (this.#o.onLine && this.#wanted(p)) this.#o.onLine(line);
    }
    if (t.kind === 'tcp') this.#tracker.segment(p, t.tcp, time, line, key);
    else if (t.kind === 'udp') this.#datagram(p, t.udp.sourcePort, t.udp.destinationPort, time);
    this.#alert(this.#scans.packet(p, time));
    this.#alert(this.#floods.packet(p, time));
  }

  /** End of input: every open connection is flushed and summarised. */
  end(): void {
    this.#tracker.flushAll();
  }

  #wanted(p: DecodedPacket): boolean {
    const want = this.#o.source;
    if (!want) return true;
    return p.ip !== null && (p.ip.source === want || p.ip.destination === want);
  }

  #datagram(p: DecodedPacket, sport: number, dport: number, time: number): void {
    const engine = this.#o.engine;
    if (!engine) return;
    this.stats.datagrams++;
    const obs: DatagramObservation = {
      kind: 'datagram',
      transport: 'udp',
      time,
      sensor: 'monitor',
      source: { ip: p.ip!.source, port: sport },
      destination: { ip: p.ip!.destination, port: dport },
      payload: p.payload,
    };
    const matches = engine.match(obs);
    if (matches.length === 0) return;
    this.stats.detections++;
    this.#emit(
      eventFromObservation({ ...obs, payload: p.payload.slice(0, 64) }, matches, {
        action: 'detected',
        sensor: 'monitor',
        dedupKey: `monitor|udp|${obs.source.ip}|${sport}|${obs.destination.ip}|${dport}|${time}|${p.frame.number}`,
        ...this.#names(),
      }),
    );
  }

  #request(conn: ConnectionView, req: CutRequest, status: number | null, time: number): void {
    this.stats.requests++;
    const engine = this.#o.engine;
    if (!engine) return;
    const index = (this.#requestIndex.get(conn) ?? 0) + 1;
    this.#requestIndex.set(conn, index);
    const obs: HttpObservation = {
      kind: 'http',
      transport: 'tcp',
      time,
      sensor: 'monitor',
      source: conn.client,
      destination: conn.server,
      request: parseRawRequest(req.raw, req.malformed),
      status,
    };
    const matches = engine.match(obs);
    if (matches.length === 0) return;
    this.stats.detections++;
    this.#detected.add(conn);
    this.#emit(
      eventFromObservation(obs, matches, {
        action: 'detected',
        sensor: 'monitor',
        dedupKey: `monitor|http|${conn.uid}|${index}`,
        ...this.#names(),
      }),
    );
  }

  #closed(conn: ConnectionView): void {
    this.#requestIndex.delete(conn);
    const detected = this.#detected.delete(conn);
    if (!detected && !this.#o.allFlows) return;
    this.stats.flows++;
    this.#emit(flowEvent(conn.summary(), conn.lines));
  }

  #alert(alert: NetworkAlert | null): void {
    if (!alert) return;
    this.stats.alerts++;
    this.#emit(alertEvent(alert, this.#o.threatName?.(alert.threatId)));
  }

  #names(): { threatName?: (id: string) => string | undefined } {
    return this.#o.threatName ? { threatName: this.#o.threatName } : {};
  }

  #emit(event: SecurityEvent): void {
    this.#o.onEvent(event);
  }
}
