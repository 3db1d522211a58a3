import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS } from '../decode/tcp.js';
import type { NetworkAlert } from './networkAlert.js';
import type { Thresholds } from './thresholds.js';

/** The probe kinds nmap and friends send, by TCP flags (or UDP). */
export type ProbeKind = 'syn' | 'fin' | 'null' | 'xmas' | 'udp';

const FLAG_MASK = TCP_FLAGS.FIN | TCP_FLAGS.SYN | TCP_FLAGS.RST | TCP_FLAGS.PSH | TCP_FLAGS.ACK | TCP_FLAGS.URG;

/** Classify a packet as a scan probe, or null when it is not one. */
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
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly kind: ProbeKind;
}

interface SourceState {
  probes: Probe[];
  /** The targets of `probes`, for a membership test without a scan. */
  readonly targets: Set<string>;
  lastAlert: number;
}

const NAMES: Readonly<Record<ProbeKind, string>> = {
  syn: 'SYN',
  fin: 'FIN',
  null: 'NULL',
  xmas: 'Xmas',
  udp: 'UDP',
};

/**
 * Port scans: one source probing many ports on one host, or one port on many hosts, within a
 * sliding window. Memory is bounded: at most `maxSources` sources, each with at most a window's
 * worth of distinct probes.
 */
export class PortScanDetector {
  readonly #t: Thresholds['portScan'];
  readonly #sources = new Map<string, SourceState>();
  readonly #maxSources: number;

  constructor(thresholds: Thresholds['portScan'], maxSources = 50_000) {
    this.#t = thresholds;
    this.#maxSources = maxSources;
  }

  packet(p: DecodedPacket, timeMs: number): NetworkAlert | null {
    const kind = probeKind(p);
    if (kind === null || !p.ip) return null;
    const t = p.transport;
    const port = t.kind === 'tcp' ? t.tcp.destinationPort : t.kind === 'udp' ? t.udp.destinationPort : 0;
    const source = p.ip.source;
    let s = this.#sources.get(source);
    if (!s) {
      if (this.#sources.size >= this.#maxSources) {
        const oldest = this.#sources.keys().next().value;
        if (oldest !== undefined) this.#sources.delete(oldest);
      }
      s = { probes: [], targets: new Set(), lastAlert: -Infinity };
      this.#sources.set(source, s);
    }
    const windowStart = timeMs - this.#t.windowSeconds * 1000;
    while (s.probes.length > 0 && (s.probes[0] as Probe).time < windowStart) forgetOldest(s);
    const target = `${p.ip.destination}|${port}`;
    if (!s.targets.has(target)) {
      s.probes.push({ time: timeMs, target, host: p.ip.destination, port, kind });
      s.targets.add(target);
      // Beyond this many distinct probes the verdict is certain; keep memory flat.
      if (s.probes.length > 4 * Math.max(this.#t.ports, this.#t.hosts)) forgetOldest(s);
    }
    if (timeMs - s.lastAlert < this.#t.cooldownSeconds * 1000) return null;
    return this.#judge(s, source, p, kind, port, timeMs);
  }

  #judge(
    s: SourceState,
    source: string,
    p: DecodedPacket,
    kind: ProbeKind,
    port: number,
    timeMs: number,
  ): NetworkAlert | null {
    const host = p.ip!.destination;
    // Probes are distinct (host, port) targets, so counting them counts distinct ports and hosts.
    let portsOnHost = 0;
    let hostsOnPort = 0;
    for (const q of s.probes) {
      if (q.host === host) portsOnHost++;
      if (q.port === port) hostsOnPort++;
    }
    const stealth = kind === 'fin' || kind === 'null' || kind === 'xmas';
    const vertical = portsOnHost >= (stealth ? this.#t.stealthPorts : this.#t.ports);
    const horizontal = hostsOnPort >= this.#t.hosts;
    if (!vertical && !horizontal) return null;
    s.lastAlert = timeMs;
    const name = NAMES[kind];
    const what = vertical ? `${portsOnHost} ports on ${host}` : `port ${port} on ${hostsOnPort} hosts`;
    return {
      threatId: 'port-scan',
      ruleId: `monitor-port-scan-${kind}`,
      ruleName: `${name} port scan`,
      time: timeMs,
      source: { ip: source, port: sourcePort(p) },
      destination: { ip: host, port },
      transport: kind === 'udp' ? 'udp' : 'tcp',
      evidence: `${name} scan from ${source}: ${what} within ${this.#t.windowSeconds} s`,
      tags: ['scan', kind, vertical ? 'vertical' : 'horizontal'],
    };
  }
}

function forgetOldest(s: SourceState): void {
  const old = s.probes.shift();
  if (old) s.targets.delete(old.target);
}

function sourcePort(p: DecodedPacket): number {
  const t = p.transport;
  return t.kind === 'tcp' ? t.tcp.sourcePort : t.kind === 'udp' ? t.udp.sourcePort : 0;
}
