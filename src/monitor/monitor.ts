import type { BehaviourSettings } from '../detect/behaviour/httpBehaviour.js';
import type { Engine } from '../detect/types.js';
import type { SecurityEvent } from '../store/securityEvent.js';
import { type Frame, frameTimeMs } from './capture/frame.js';
import { flowKey } from './decode/flowKey.js';
import { IpReassembler } from './decode/ipFragments.js';
import { type DecodedPacket, decodePacket } from './decode/packet.js';
import { LoginGuessingDetector } from './detect/loginGuessing.js';
import type { NetworkAlert } from './detect/networkAlert.js';
import { PortScanDetector } from './detect/portScan.js';
import { SshBruteForceDetector } from './detect/sshBruteForce.js';
import { SynFloodDetector } from './detect/synFlood.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './detect/thresholds.js';
import { flowEvent } from './events.js';
import { type Judge, LocalJudge } from './judge/judge.js';
import type { MacNames } from './log/names.js';
import { PacketLog } from './log/packetLog.js';
import { type ConnectionLimits, ConnectionTracker, type ConnectionView } from './streams/connections.js';
import type { CutRequest } from './streams/httpCutter.js';

export interface MonitorOptions {
  /** The shared rule engine; null runs the network detectors only. Unused with `judge`. */
  readonly engine: Engine | null;
  /** Catalog names for threat ids. Unused with `judge`. */
  readonly threatName?: (threatId: string) => string | undefined;
  /**
   * Where requests, datagrams, ended connections and alerts are judged (another thread, see
   * ./judge/remoteJudge.ts); by default a LocalJudge over `engine`, on this thread.
   */
  readonly judge?: Judge<ConnectionView>;
  readonly thresholds?: Thresholds;
  /** The behaviours' limits (the config file's `behaviours`). Unused with `judge`. */
  readonly behaviours?: BehaviourSettings;
  /** CIDRs of proxies in front of the watched server (config `trusted_proxies`). Unused with `judge`. */
  readonly trustedProxies?: readonly string[];
  /** Compute the packet log (tshark-format lines). */
  readonly log: boolean;
  /** Only log packets to or from this address (the incident view). */
  readonly source?: string | null;
  /** Summarise every connection as a flow event, not only those with a detection. Unused with `judge`. */
  readonly allFlows?: boolean;
  readonly limits?: Partial<ConnectionLimits>;
  readonly macNames?: MacNames;
  readonly onLine?: (line: string) => void;
  /** Unused with `judge` (which reports its events itself). */
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
  readonly #o: MonitorOptions;
  readonly #log: PacketLog | null;
  /** Fragmented datagrams are logged and judged whole, at the fragment that completes them. */
  readonly #fragments = new IpReassembler();
  readonly #tracker: ConnectionTracker;
  readonly #scans: PortScanDetector;
  readonly #floods: SynFloodDetector;
  readonly #sshGuessing: SshBruteForceDetector;
  readonly #loginGuessing: LoginGuessingDetector;
  readonly #judge: Judge<ConnectionView>;
  #frames = 0;
  #decodeErrors = 0;
  #requests = 0;

  constructor(options: MonitorOptions) {
    this.#o = options;
    const t = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#log = options.log ? new PacketLog(options.macNames ? { macNames: options.macNames } : {}) : null;
    this.#scans = new PortScanDetector(t.portScan);
    this.#floods = new SynFloodDetector(t.synFlood);
    this.#sshGuessing = new SshBruteForceDetector(t.sshBruteForce);
    this.#loginGuessing = new LoginGuessingDetector(t.loginGuessing);
    this.#judge =
      options.judge ??
      new LocalJudge<ConnectionView>({
        engine: options.engine,
        threatName: options.threatName,
        allFlows: options.allFlows ?? false,
        behaviours: options.behaviours,
        trustedProxies: options.trustedProxies,
        onEvent: options.onEvent,
        onFlow: (conn) => options.onEvent(flowEvent(conn.summary(), conn.lines)),
      });
    this.#tracker = new ConnectionTracker(
      {
        request: (conn, req, status, time) => this.#request(conn, req, status, time),
        closed: (conn) => this.#judge.closed(conn),
      },
      options.limits ?? {},
    );
  }

  /** Counts so far (with a judge on another thread, of what it has answered). */
  get stats(): MonitorStats {
    const c = this.#judge.counts;
    return {
      frames: this.#frames,
      decodeErrors: this.#decodeErrors,
      requests: this.#requests,
      datagrams: c.datagrams,
      detections: c.detections,
      alerts: c.alerts,
      flows: c.flows,
    };
  }

  frame(frame: Frame): void {
    this.#frames++;
    const p = this.#fragments.packet(decodePacket(frame));
    if (p.error) this.#decodeErrors++;
    const time = frameTimeMs(frame);
    const t = p.transport;
    const key = t.kind === 'tcp' ? flowKey(p, t.tcp.sourcePort, t.tcp.destinationPort) : undefined;
    let line: string | null = null;
    if (this.#log) {
      line = this.#log.line(p, key);
      if (this.#o.onLine && this.#wanted(p)) this.#o.onLine(line);
    }
    if (t.kind === 'tcp') this.#tracker.segment(p, t.tcp, time, line, key);
    else if (t.kind === 'udp') this.#datagram(p, t.udp.sourcePort, t.udp.destinationPort, time);
    this.#alert(this.#scans.packet(p, time));
    this.#alert(this.#floods.packet(p, time));
    this.#alert(this.#sshGuessing.packet(p, time));
    this.#alert(this.#loginGuessing.packet(p, time));
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
    this.#judge.datagram({
      source: { ip: p.ip!.source, port: sport },
      destination: { ip: p.ip!.destination, port: dport },
      time,
      frame: p.frame.number,
      payload: p.payload,
    });
  }

  #request(conn: ConnectionView, req: CutRequest, status: number | null, time: number): void {
    this.#requests++;
    this.#judge.request(conn, { raw: req.raw, malformed: req.malformed, status, time });
  }

  #alert(alert: NetworkAlert | null): void {
    if (alert) this.#judge.alert(alert);
  }
}
