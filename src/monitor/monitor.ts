import { builtInNetwork } from '../config/builtInDefaults.js';
import type { NetworkFinding } from '../detect/finding.js';
import type { NetworkSettings } from '../detect/network/networkRules.js';
import { CaptureClock } from './capture/clock.js';
import { type Frame, frameTimeMs } from './capture/frame.js';
import { FlowKeys } from './decode/flowKey.js';
import { IpReassembler } from './decode/ipFragments.js';
import type { DecodedPacket } from './decode/packet.js';
import { PacketDecoder } from './decode/packetDecoder.js';
import type { UdpHeader } from './decode/udp.js';
import { LoginGuessingDetector } from './detect/loginGuessing.js';
import { PortScanDetector } from './detect/portScan.js';
import { SshBruteForceDetector } from './detect/sshBruteForce.js';
import { SynFloodDetector } from './detect/synFlood.js';
import { DnsAnswers } from './evidence/dnsAnswers.js';
import type { CaptureStart } from './evidence/packetRecord.js';
import { flowEvent } from './evidence/securityEvents.js';
import { type Judge, type JudgeOptions, LocalJudge } from './judge/judge.js';
import { ReusedDatagram } from './judge/reusedDatagram.js';
import type { LineBuffer } from './log/lineBuffer.js';
import type { MacNames } from './log/names.js';
import { isFragment, PacketLog } from './log/packetLog.js';
import { isDnsDatagram } from './protocols/dns.js';
import type { CutRequest } from './protocols/http/framed.js';
import type { ConnectionView } from './tcp/connection.js';
import { Conversations } from './tcp/conversations.js';
import type { ConnectionLimits } from './tcp/limits.js';
import { LivePacket } from './tcp/livePacket.js';

export interface MonitorOptions {
  /**
   * Where requests, datagrams, ended connections and alerts are judged (`inThreadJudge(…)`).
   * Events go where the judge sends them.
   */
  readonly judge: Judge<ConnectionView>;
  /** The network detectors' limits, severity and score (the config's `network` section; default: the built-in). */
  readonly network?: NetworkSettings;
  /**
   * Make the packet log (tshark-format lines): its lines are printed to `output`, and each
   * connection keeps its first packets' records as evidence.
   */
  readonly log: boolean;
  /** Only log packets to or from this address (the incident view). */
  readonly source?: string | null;
  readonly limits?: Partial<ConnectionLimits>;
  readonly macNames?: MacNames;
  /** Where the packet log's lines are written (without it no line is formatted: only the records are kept). */
  readonly output?: LineBuffer;
  /**
   * Whether connections keep their first packets' records as evidence (default true): not where
   * no event is ever built (the judge only tallies), since nothing would read them.
   */
  readonly keepRecords?: boolean;
}

/** A judge on this thread over the shared engine, whose flows carry the monitor's evidence. */
export function inThreadJudge(options: Omit<JudgeOptions<ConnectionView>, 'onFlow'>): Judge<ConnectionView> {
  return new LocalJudge<ConnectionView>({
    ...options,
    onFlow: (conn) => options.onEvent(flowEvent(conn.evidence())),
  });
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
  /** The packet log's renderer, when its lines are printed. */
  readonly #log: PacketLog | null;
  readonly #out: LineBuffer | null;
  readonly #clock = new CaptureClock();
  /** The record of the TCP segment being read, when the packet log is made (printed or kept). */
  readonly #packet: LivePacket | null;
  /** Whether a connection keeps a copy of the records (`keepRecords`). */
  readonly #keepRecords: boolean;
  /** The capture's first frame: the relative times of the connections' records count from it. */
  #capture: CaptureStart | null = null;
  /** TCP: tshark's sequence analysis, and the one reassembly the analyzers read. */
  readonly #conversations: Conversations;
  /** Fragmented datagrams are logged and judged whole, at the fragment that completes them. */
  readonly #fragments = new IpReassembler();
  /** Frames decoded into structures refilled frame after frame (read each packet before the next). */
  readonly #decoder = new PacketDecoder();
  readonly #flowKeys = new FlowKeys();
  /** DNS answers, remembered for the connections they lead to (evidence). */
  readonly #dnsAnswers = new DnsAnswers();
  readonly #scans: PortScanDetector;
  readonly #floods: SynFloodDetector;
  readonly #sshGuessing: SshBruteForceDetector;
  readonly #loginGuessing: LoginGuessingDetector;
  readonly #judge: Judge<ConnectionView>;
  /** The datagram handed to the judge, refilled for each (the judge keeps nothing of it). */
  readonly #datagramSlot = new ReusedDatagram();
  #frames = 0;
  #decodeErrors = 0;
  #requests = 0;

  constructor(options: MonitorOptions) {
    this.#o = options;
    const t = options.network ?? builtInNetwork();
    const printed = options.log && options.output !== undefined;
    this.#log = printed ? new PacketLog(options.macNames ? { macNames: options.macNames } : {}) : null;
    this.#out = printed ? (options.output ?? null) : null;
    this.#packet = options.log ? new LivePacket() : null;
    this.#keepRecords = options.keepRecords !== false;
    this.#scans = new PortScanDetector(t.portScan);
    this.#floods = new SynFloodDetector(t.synFlood);
    this.#sshGuessing = new SshBruteForceDetector(t.sshBruteForce);
    this.#loginGuessing = new LoginGuessingDetector(t.loginGuessing);
    this.#judge = options.judge;
    this.#conversations = new Conversations({
      sink: {
        request: (conn, req, status, time, index) => this.#request(conn, req, status, time, index),
        closed: (conn) => {
          conn.dns = this.#dnsAnswers.leadingTo(conn.originator.ip, conn.responder.ip);
          conn.capture = this.#capture;
          this.#judge.closed(conn);
        },
      },
      limits: options.limits ?? {},
      readAll: options.log,
      // The services' events, as their bytes are read (a late segment's at the frame that releases them).
      events: {
        read: (from, to, events, start, offset, time) =>
          this.#alert(this.#loginGuessing.replies(from, to, events, start, offset, time)),
      },
    });
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
    const p = this.#fragments.packet(this.#decoder.decode(frame));
    if (p.error) this.#decodeErrors++;
    const time = frameTimeMs(frame);
    const f = p.frame;
    const ns = this.#clock.ns(f.seconds, f.fraction, f.precision);
    this.#capture ??= { ts: frameTimeMs(f) / 1000, precision: f.precision };
    const t = p.transport;
    const key = t.kind === 'tcp' ? this.#flowKeys.key(p, t.tcp.sourcePort, t.tcp.destinationPort) : undefined;
    const seg = t.kind === 'tcp' ? this.#conversations.read(p, t.tcp, ns, time, key) : null;
    if (t.kind === 'udp') this.#keepDnsAnswers(p, t.udp, time);
    // A TCP segment's record is filled when the log is made (with the log, the table reads
    // everything: a TCP segment always comes with its reading); its connection keeps a copy
    // as evidence. Lines are formatted only when printed, straight into the output's bytes.
    const wanted = this.#packet !== null && this.#wanted(p);
    const packet =
      wanted && seg !== null && t.kind === 'tcp' && !isFragment(p.ip!) ? this.#packet!.fill(p, t.tcp, seg, ns) : null;
    if (this.#log !== null && wanted && (t.kind !== 'tcp' || seg !== null)) {
      const out = this.#out!;
      if (packet !== null) this.#log.tcp(out, packet);
      else this.#log.write(out, p, ns, seg);
      out.newline();
    }
    if (seg !== null && t.kind === 'tcp')
      this.#conversations.track(seg, p, t.tcp, time, this.#keepRecords ? packet : null);
    else if (t.kind === 'udp') this.#datagram(p, t.udp.sourcePort, t.udp.destinationPort, time);
    this.#alert(this.#scans.packet(p, time));
    this.#alert(this.#floods.packet(p, time));
    this.#alert(this.#sshGuessing.packet(p, time));
  }

  /** End of input: every open connection is flushed and summarised. */
  end(): void {
    this.#conversations.flushAll();
  }

  /** A UDP datagram: DNS answers kept as evidence (the log writes a message's line from its bytes). */
  #keepDnsAnswers(p: DecodedPacket, udp: UdpHeader, time: number): void {
    if (!isDnsDatagram(udp)) return;
    const ip = p.ip!;
    this.#dnsAnswers.datagram(p.payload, ip.destination, udp.destinationPort, ip.source, udp.sourcePort, time);
  }

  #wanted(p: DecodedPacket): boolean {
    const want = this.#o.source;
    if (!want) return true;
    return p.ip !== null && (p.ip.source === want || p.ip.destination === want);
  }

  #datagram(p: DecodedPacket, sport: number, dport: number, time: number): void {
    const ip = p.ip!;
    const d = this.#datagramSlot.refill(ip.source, sport, ip.destination, dport, time, p.frame.number, p.payload);
    this.#judge.datagram(d);
    d.release();
  }

  #request(conn: ConnectionView, req: CutRequest, status: number | null, time: number, index: number): void {
    this.#requests++;
    this.#judge.request(conn, { raw: req.raw, malformed: req.malformed, status, time, index });
  }

  #alert(alert: NetworkFinding | null): void {
    if (alert) this.#judge.alert(alert);
  }
}
