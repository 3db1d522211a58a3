import type { Datagram } from './judge.js';

const EMPTY = new Uint8Array(0);

/** An Endpoint refilled datagram after datagram. */
interface ReusedEndpoint {
  ip: string;
  port: number;
}

/**
 * The one Datagram the monitor refills for every UDP datagram it hands the judge: the judge
 * reads it during the call and keeps nothing of it (an event copies what it quotes), so a
 * datagram costs no object.
 */
export class ReusedDatagram implements Datagram {
  readonly source: ReusedEndpoint = { ip: '', port: 0 };
  readonly destination: ReusedEndpoint = { ip: '', port: 0 };
  time = 0;
  frame = 0;
  payload: Uint8Array = EMPTY;

  refill(
    sourceIp: string,
    sourcePort: number,
    destinationIp: string,
    destinationPort: number,
    time: number,
    frame: number,
    payload: Uint8Array,
  ): this {
    this.source.ip = sourceIp;
    this.source.port = sourcePort;
    this.destination.ip = destinationIp;
    this.destination.port = destinationPort;
    this.time = time;
    this.frame = frame;
    this.payload = payload;
    return this;
  }

  /** Let go of the capture's bytes once the datagram is judged. */
  release(): void {
    this.payload = EMPTY;
  }
}
