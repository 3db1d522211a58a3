/**
 * Who each (address, port) last sent a UDP datagram to, so that a datagram coming back from
 * there is known for an answer. Keyed by the sender's address string (shared by the decoder's
 * address cache) and port number: no key is built per packet. Bounded: beyond `capacity`
 * endpoints, the earliest remembered address is forgotten, with its ports.
 */
export class UdpPeers {
  readonly #byHost = new Map<string, Map<number, Peer>>();
  readonly #capacity: number;
  #count = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** `host:port` sent a datagram to `peerHost:peerPort`. */
  sent(host: string, port: number, peerHost: string, peerPort: number): void {
    let ports = this.#byHost.get(host);
    const known = ports?.get(port);
    if (known) {
      known.host = peerHost;
      known.port = peerPort;
      return;
    }
    if (this.#count >= this.#capacity) this.#forgetEarliestHost();
    if (!ports) {
      ports = new Map();
      this.#byHost.set(host, ports);
    }
    ports.set(port, { host: peerHost, port: peerPort });
    this.#count++;
  }

  /** Did `host:port` last send to `peerHost:peerPort`? */
  lastSentTo(host: string, port: number, peerHost: string, peerPort: number): boolean {
    const peer = this.#byHost.get(host)?.get(port);
    return peer !== undefined && peer.port === peerPort && peer.host === peerHost;
  }

  #forgetEarliestHost(): void {
    const first = this.#byHost.entries().next().value;
    if (!first) return;
    this.#byHost.delete(first[0]);
    this.#count -= first[1].size;
  }
}

interface Peer {
  host: string;
  port: number;
}
