import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS } from '../decode/tcp.js';
import { BurstCounter } from './burstCounter.js';

/**
 * SSH password guessing seen from outside the encryption: one source opening connection after
 * connection to one SSH server (guessing tools reconnect every few attempts; sshd's
 * MaxAuthTries sees to that). A leaky bucket per source and server over connection attempts,
 * each counted once however often its SYN is retransmitted (the source port tells them apart).
 */
export class SshBruteForceDetector {
  readonly #bursts: BurstCounter;
  /** The SSH servers' ports (config `network.sshBruteForce.ports`). */
  readonly #ports: ReadonlySet<number>;

  constructor(t: NetworkSettings['sshBruteForce'], maxPairs = 50_000) {
    this.#bursts = new BurstCounter(t, t.connections, maxPairs);
    this.#ports = new Set(t.ports);
  }

  packet(p: DecodedPacket, timeMs: number): NetworkFinding | null {
    const t = p.transport;
    if (t.kind !== 'tcp' || !p.ip || !this.#ports.has(t.tcp.destinationPort)) return null;
    if ((t.tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) !== TCP_FLAGS.SYN) return null;
    const { source, destination } = p.ip;
    const port = t.tcp.destinationPort;
    const burst = this.#bursts.count(`${source} ${destination}`, timeMs, String(t.tcp.sourcePort));
    if (burst === null) return null;
    return networkFinding('monitor-ssh-brute-force', this.#bursts.settings, {
      time: timeMs,
      source: { ip: source, port: t.tcp.sourcePort },
      destination: { ip: destination, port },
      transport: 'tcp',
      evidence: `${burst.count} SSH connections to ${destination}:${port} within ${burst.seconds} s`,
    });
  }
}
