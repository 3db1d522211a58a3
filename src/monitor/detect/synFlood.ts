import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS } from '../decode/tcp.js';
import { TimeQueue } from './timeQueue.js';

interface TargetState {
  readonly syns: TimeQueue;
  readonly completed: TimeQueue;
  sources: Map<string, number>;
  lastAlert: number;
}

/**
 * SYN floods: many SYNs to one destination address and port in a short window, few of which
 * complete the handshake (the client's ACK). Bounded by `maxTargets`.
 */
export class SynFloodDetector {
  readonly #t: NetworkSettings['synFlood'];
  /** Destination address → port → state: the address strings are shared, so no key is built per packet. */
  readonly #targets = new Map<string, Map<number, TargetState>>();
  #count = 0;
  readonly #maxTargets: number;
  /** Every bare SYN in the window, tagged with its source, for floods spread over many destinations. */
  readonly #all: TimeQueue;
  readonly #allCompleted: TimeQueue;
  #globalAlert = -Infinity;

  constructor(thresholds: NetworkSettings['synFlood'], maxTargets = 10_000) {
    this.#t = thresholds;
    this.#maxTargets = maxTargets;
    // Completions are counted only while fewer than the SYNs held (at most 4 × globalSyns + 1).
    this.#allCompleted = new TimeQueue(4 * thresholds.globalSyns + 1);
    // A SYN beyond 4 × globalSyns drops the oldest, after its push.
    this.#all = new TimeQueue(4 * thresholds.globalSyns + 1, true);
  }

  packet(p: DecodedPacket, timeMs: number): NetworkFinding | null {
    const t = p.transport;
    if (t.kind !== 'tcp' || !p.ip) return null;
    const f = t.tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK | TCP_FLAGS.RST | TCP_FLAGS.FIN);
    const isSyn = f === TCP_FLAGS.SYN;
    // A client's first bare ACK (relative ack 1 is not known here): any bare ACK towards the target counts.
    const isAck = f === TCP_FLAGS.ACK && p.payloadSize === 0;
    if (!isSyn && !isAck) return null;
    const target = this.#perTarget(p, isSyn, isAck, timeMs);
    if (target) {
      // One flood, one event: the global rule stays quiet while this one is cooling down.
      this.#globalAlert = timeMs;
      return target;
    }
    return this.#global(p, isSyn, timeMs);
  }

  #perTarget(p: DecodedPacket, isSyn: boolean, isAck: boolean, timeMs: number): NetworkFinding | null {
    const t = p.transport as Extract<DecodedPacket['transport'], { kind: 'tcp' }>;
    if (!p.ip) return null;
    const s = this.#target(p.ip.destination, t.tcp.destinationPort, isSyn);
    if (!s) return null;
    const windowStart = timeMs - this.#t.windowSeconds * 1000;
    s.syns.dropBefore(windowStart);
    s.completed.dropBefore(windowStart);
    if (isAck) {
      if (s.completed.length < s.syns.length) s.completed.push(timeMs);
      return null;
    }
    s.syns.push(timeMs);
    if (s.sources.size < 1024) s.sources.set(p.ip.source, (s.sources.get(p.ip.source) ?? 0) + 1);
    if (s.syns.length > 4 * this.#t.syns) s.syns.shift();
    if (s.syns.length < this.#t.syns) return null;
    if (s.completed.length / s.syns.length > this.#t.maxCompletedShare) return null;
    if (timeMs - s.lastAlert < this.#t.cooldownSeconds * 1000) return null;
    s.lastAlert = timeMs;
    const [top, topCount] = [...s.sources.entries()].sort((a, b) => b[1] - a[1])[0] ?? [p.ip.source, 0];
    const sources = s.sources.size;
    s.sources.clear();
    return networkFinding('monitor-syn-flood', this.#t, {
      time: timeMs,
      source: { ip: top, port: t.tcp.sourcePort },
      destination: { ip: p.ip.destination, port: t.tcp.destinationPort },
      transport: 'tcp',
      evidence: `SYN flood on ${p.ip.destination}:${t.tcp.destinationPort}: ${s.syns.length} SYNs within ${this.#t.windowSeconds} s, ${s.completed.length} completed, from ${sources} source(s) (top ${top}: ${topCount})`,
    });
  }

  /** The state of one destination; a new one only for a SYN. */
  #target(host: string, port: number, isSyn: boolean): TargetState | null {
    let ports = this.#targets.get(host);
    let s = ports?.get(port);
    if (s) return s;
    if (!isSyn) return null;
    if (this.#count >= this.#maxTargets) this.#forgetOldestTarget();
    // A SYN beyond 4 × syns drops the oldest; a completion is counted only while fewer than the SYNs.
    const bound = 4 * this.#t.syns + 1;
    s = { syns: new TimeQueue(bound), completed: new TimeQueue(bound), sources: new Map(), lastAlert: -Infinity };
    if (!ports) {
      ports = new Map();
      this.#targets.set(host, ports);
    }
    ports.set(port, s);
    this.#count++;
    return s;
  }

  /** The oldest destination address's oldest port: memory stays bounded at a map lookup per packet. */
  #forgetOldestTarget(): void {
    const oldest = this.#targets.entries().next().value;
    if (!oldest) return;
    const [host, ports] = oldest;
    const port = ports.keys().next().value;
    if (port !== undefined) ports.delete(port);
    if (ports.size === 0) this.#targets.delete(host);
    this.#count--;
  }

  /** The global rule: a burst of SYNs from many sources, scattered over destinations, rarely completed. */
  #global(p: DecodedPacket, isSyn: boolean, timeMs: number): NetworkFinding | null {
    const windowStart = timeMs - this.#t.windowSeconds * 1000;
    this.#all.dropBefore(windowStart);
    this.#allCompleted.dropBefore(windowStart);
    if (!isSyn) {
      if (this.#allCompleted.length < this.#all.length) this.#allCompleted.push(timeMs);
      return null;
    }
    this.#all.pushTagged(timeMs, p.ip!.source);
    if (this.#all.length > 4 * this.#t.globalSyns) this.#all.shift();
    if (this.#all.length < this.#t.globalSyns) return null;
    if (this.#allCompleted.length / this.#all.length > this.#t.maxCompletedShare) return null;
    if (timeMs - this.#globalAlert < this.#t.cooldownSeconds * 1000) return null;
    const sources = this.#all.distinctTags();
    if (sources < this.#t.globalSources) return null;
    this.#globalAlert = timeMs;
    const t = p.transport as Extract<DecodedPacket['transport'], { kind: 'tcp' }>;
    return networkFinding('monitor-syn-flood-spoofed', this.#t, {
      time: timeMs,
      source: { ip: p.ip!.source, port: t.tcp.sourcePort },
      destination: { ip: p.ip!.destination, port: t.tcp.destinationPort },
      transport: 'tcp',
      evidence: `SYN flood: ${this.#all.length} SYNs within ${this.#t.windowSeconds} s from ${sources} sources, ${this.#allCompleted.length} completed`,
    });
  }
}
