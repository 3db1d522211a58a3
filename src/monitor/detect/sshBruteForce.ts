import type { LeakyBuckets } from '../../detect/behaviour/leakyBucket.js';
import type { NetworkFinding } from '../../detect/finding.js';
import { type NetworkSettings, networkFinding } from '../../detect/network/networkRules.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS } from '../decode/tcp.js';
import { countBuckets } from './countBuckets.js';

const SSH_PORT = 22;

/**
 * SSH password guessing seen from outside the encryption: one source opening connection after
 * connection to one SSH server (guessing tools reconnect every few attempts; sshd's
 * MaxAuthTries sees to that). A leaky bucket per source and server over connection attempts,
 * each counted once however often its SYN is retransmitted (the source port tells them apart).
 */
export class SshBruteForceDetector {
  readonly #buckets: LeakyBuckets<number>;
  readonly #t: NetworkSettings['sshBruteForce'];

  constructor(t: NetworkSettings['sshBruteForce'], maxPairs = 50_000) {
    this.#t = t;
    this.#buckets = countBuckets(t, t.connections, maxPairs);
  }

  packet(p: DecodedPacket, timeMs: number): NetworkFinding | null {
    const t = p.transport;
    if (t.kind !== 'tcp' || !p.ip || t.tcp.destinationPort !== SSH_PORT) return null;
    if ((t.tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) !== TCP_FLAGS.SYN) return null;
    const { source, destination } = p.ip;
    const overflow = this.#buckets.pour(`${source} ${destination}`, timeMs, timeMs, String(t.tcp.sourcePort));
    if (overflow === null) return null;
    const seconds = Math.round((timeMs - overflow.first) / 1000);
    return networkFinding('monitor-ssh-brute-force', this.#t, {
      time: timeMs,
      source: { ip: source, port: t.tcp.sourcePort },
      destination: { ip: destination, port: SSH_PORT },
      transport: 'tcp',
      evidence: `${overflow.count} SSH connections to ${destination}:${SSH_PORT} within ${seconds} s`,
    });
  }
}
