import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS } from '../decode/tcp.js';
import { UdpPeers } from './udpPeers.js';

/** The probe kinds nmap and friends send, by TCP flags (or UDP). */
export type ProbeKind = 'syn' | 'fin' | 'null' | 'xmas' | 'udp';

const FLAG_MASK = TCP_FLAGS.FIN | TCP_FLAGS.SYN | TCP_FLAGS.RST | TCP_FLAGS.PSH | TCP_FLAGS.ACK | TCP_FLAGS.URG;

/** Classify a packet as a scan probe, or null when it is not one (replies are told apart by the detector). */
export function probeKind(p: DecodedPacket): ProbeKind | null {
  const t = p.transport;
  if (t.kind === 'udp') return p.payload.length <= 64 ? 'udp' : null;
  if (t.kind !== 'tcp') return null;
  const f = t.tcp.flags & FLAG_MASK;
  if (f === TCP_FLAGS.SYN) return 'syn';
  if (f === TCP_FLAGS.FIN) return 'fin';
  if (f === 0) return 'null';
  if (f === (TCP_FLAGS.FIN | TCP_FLAGS.PSH | TCP_FLAGS.URG)) return 'xmas';
  return null;
}

interface Probe {
  readonly time: number;
  readonly host: string;
  readonly port: number;
}

interface SourceState {
  /** Distinct (host, port) targets in the window, oldest first. */
  probes: Probe[];
  /** The targets of `probes` (host → ports), for a membership test without a scan. */
  readonly targets: Map<string, Set<number>>;
  lastAlert: number;
}

const NAMES: Readonly<Record<ProbeKind, string>> = {
  syn: 'SYN',
  fin: 'FIN',
  null: 'NULL',
  xmas: 'Xmas',
  udp: 'UDP',
};

/** UDP endpoints whose last peer is remembered, so that the answers to them are not taken for probes. */
const UDP_ENDPOINTS = 65_536;

/**
 * Port scans: one source probing many ports on one host, or one port on many hosts, within a
 * sliding window. Memory is bounded: at most `maxSources` sources, each with at most a window's
 * worth of distinct probes.
 */
export class PortScanDetector {
  readonly #t: NetworkSettings['portScan'];
  readonly #sources = new Map<string, SourceState>();
  readonly #maxSources: number;
  /**
   * The last peer of each UDP endpoint. A datagram from that peer back to the endpoint is an
   * answer: a DNS server replying to clients' many ephemeral ports is no UDP scan. A
   * scanner that sends from port 53 (nmap -g 53) sent nothing before, so its probes still count.
   */
  readonly #udpPeers = new UdpPeers(UDP_ENDPOINTS);

  constructor(thresholds: NetworkSettings['portScan'], maxSources = 50_000) {
    this.#t = thresholds;
    this.#maxSources = maxSources;
  }

  packet(p: DecodedPacket, timeMs: number): NetworkFinding | null {
    const kind = probeKind(p);
    if (kind === null || !p.ip) return null;
    const t = p.transport;
    const port = t.kind === 'tcp' ? t.tcp.destinationPort : t.kind === 'udp' ? t.udp.destinationPort : 0;
    if (kind === 'udp' && this.#isUdpAnswer(p.ip.source, sourcePort(p), p.ip.destination, port)) return null;
    const source = p.ip.source;
    const s = this.#state(source);
    const windowStart = timeMs - this.#t.windowSeconds * 1000;
    while (s.probes.length > 0 && (s.probes[0] as Probe).time < windowStart) forgetOldest(s);
    const host = p.ip.destination;
    const ports = s.targets.get(host);
    if (!ports?.has(port)) {
      s.probes.push({ time: timeMs, host, port });
      if (ports) ports.add(port);
      else s.targets.set(host, new Set([port]));
      // Beyond this many distinct probes the verdict is certain; keep memory flat.
      if (s.probes.length > 4 * Math.max(this.#t.ports, this.#t.hosts)) forgetOldest(s);
    }
    if (timeMs - s.lastAlert < this.#t.cooldownSeconds * 1000) return null;
    return this.#judge(s, source, p, kind, port, timeMs);
  }

  /** Remember this datagram; true when it answers one seen going the other way. */
  #isUdpAnswer(source: string, sport: number, destination: string, dport: number): boolean {
    const answer = this.#udpPeers.lastSentTo(destination, dport, source, sport);
    this.#udpPeers.sent(source, sport, destination, dport);
    return answer;
  }

  #state(source: string): SourceState {
    let s = this.#sources.get(source);
    if (s) return s;
    if (this.#sources.size >= this.#maxSources) {
      const oldest = this.#sources.keys().next().value;
      if (oldest !== undefined) this.#sources.delete(oldest);
    }
    s = { probes: [], targets: new Map(), lastAlert: -Infinity };
    this.#sources.set(source, s);
    return s;
  }

  #judge(
    s: SourceState,
    source: string,
    p: DecodedPacket,
    kind: ProbeKind,
    port: number,
    timeMs: number,
  ): NetworkFinding | null {
    const host = p.ip!.destination;
    // Probes are distinct (host, port) targets, so counting them counts distinct ports and hosts.
    const portsOnHost = s.targets.get(host)?.size ?? 0;
    let hostsOnPort = 0;
    if (s.targets.size >= this.#t.hosts) for (const ports of s.targets.values()) if (ports.has(port)) hostsOnPort++;
    const stealth = kind === 'fin' || kind === 'null' || kind === 'xmas';
    const vertical = portsOnHost >= (stealth ? this.#t.stealthPorts : this.#t.ports);
    const horizontal = hostsOnPort >= this.#t.hosts;
    if (!vertical && !horizontal) return null;
    s.lastAlert = timeMs;
    const name = NAMES[kind];
    const what = vertical ? `${portsOnHost} ports on ${host}` : `port ${port} on ${hostsOnPort} hosts`;
    return networkFinding(`monitor-port-scan-${kind}`, this.#t, {
      time: timeMs,
      source: { ip: source, port: sourcePort(p) },
      destination: { ip: host, port },
      transport: kind === 'udp' ? 'udp' : 'tcp',
      evidence: `${name} scan from ${source}: ${what} within ${this.#t.windowSeconds} s`,
      moreTags: [vertical ? 'vertical' : 'horizontal'],
    });
  }
}

function forgetOldest(s: SourceState): void {
  const old = s.probes.shift();
  if (!old) return;
  const ports = s.targets.get(old.host);
  if (!ports) return;
  ports.delete(old.port);
  if (ports.size === 0) s.targets.delete(old.host);
}

function sourcePort(p: DecodedPacket): number {
  const t = p.transport;
  return t.kind === 'tcp' ? t.tcp.sourcePort : t.kind === 'udp' ? t.udp.sourcePort : 0;
}
