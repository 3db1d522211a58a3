import { flowKey } from '../decode/flowKey.js';
import type { DecodedPacket } from '../decode/packet.js';
import { type TcpHeader, windowScaleShift } from '../decode/tcp.js';
import { ByteBudget } from '../protocols/byteBudget.js';
import { FtpDataChannels } from '../protocols/ftp.js';
import { HttpConversation } from '../protocols/http/httpConversation.js';
import { MYSQL_PORT } from '../protocols/mysql.js';
import { TlsConversation } from '../protocols/tls.js';
import { readApplication } from './application.js';
import { Conversation } from './conversation.js';
import { ANALYSIS, analyseSegment, isPortReuse, type SegmentFacts } from './sequenceAnalysis.js';
import { disposeService, portProtocol, type ServiceContext, serviceFor } from './service.js';
import { TcpSegment } from './tcpSegment.js';

export interface ConversationsOptions {
  /** Most conversations remembered; the oldest are forgotten beyond this. */
  readonly maxConversations?: number;
}

/** The header fields the sequence analysis reads, refilled for every segment. */
class SegmentInput implements SegmentFacts {
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  length = 0;
  wsShift = -1;
  frame = 0;
  time = 0;
}

/**
 * The TCP conversations of one capture, found by their 4-tuple: each segment is analysed as
 * tshark analyses it (relative numbers, retransmissions, lost segments, port reuse) and its new
 * data handed to whatever reads the conversation (./application.ts). One table for every
 * consumer: the packet log renders the result, the detectors read its events.
 */
export class Conversations {
  readonly #conversations = new Map<string, Conversation>();
  readonly #context: ServiceContext = { budget: new ByteBudget(), ftpChannels: new FtpDataChannels() };
  readonly #maxConversations: number;
  readonly #input = new SegmentInput();
  readonly #segment = new TcpSegment();

  constructor(options: ConversationsOptions = {}) {
    this.#maxConversations = options.maxConversations ?? 200_000;
  }

  /**
   * Read one TCP segment (in capture order); `ns` is its time since the capture's first frame,
   * `key` its `flowKey` when the caller already has it. The result is overwritten by the next call.
   */
  segment(p: DecodedPacket, tcp: TcpHeader, ns: number, key?: string): TcpSegment {
    const ip = p.ip!;
    const k = key ?? flowKey(p, tcp.sourcePort, tcp.destinationPort);
    const seg = this.#segment;
    seg.reset();
    const input = this.#input;
    input.seq = tcp.seq;
    input.ack = tcp.ack;
    input.flags = tcp.flags;
    input.window = tcp.window;
    input.length = tcp.payloadLength;
    // Only a SYN's window scale counts (tshark's verify_tcp_window_scaling).
    input.wsShift = (tcp.flags & 0x02) !== 0 ? windowScaleShift(p.frame.data, tcp) : -1;
    input.frame = p.frame.number;
    input.time = ns;
    let conv = this.#conversations.get(k);
    let reused = false;
    if (conv && isPortReuse(conv.analysis, conv.directionOf(ip.source, tcp.sourcePort), input)) {
      this.#forget(k, conv);
      conv = undefined;
      reused = true;
    }
    if (!conv) conv = this.#open(k, ip.source, ip.destination, tcp);
    const dir = conv.directionOf(ip.source, tcp.sourcePort);
    seg.dir = dir;
    analyseSegment(conv.analysis, dir, input, seg);
    // Read now, as the numbers are: this packet's, whatever the application layer does next.
    seg.reverseBase = conv.analysis.flows[dir === 0 ? 1 : 0].baseSeq;
    if (reused) seg.flags |= ANALYSIS.REUSED_PORTS;
    if (seg.gap > 0 && (seg.flags & ANALYSIS.LOST_PACKET) !== 0) conv.httpReader?.skip(dir, seg.gap);
    readApplication(conv, seg, tcp, p.payload, this.#context);
    return seg;
  }

  #open(key: string, source: string, destination: string, tcp: TcpHeader): Conversation {
    if (this.#conversations.size >= this.#maxConversations) {
      const oldest = this.#conversations.entries().next().value;
      if (oldest !== undefined) this.#forget(oldest[0], oldest[1]);
    }
    // A connection an FTP control connection announced is FTP data, whatever its ports.
    const channels = this.#context.ftpChannels;
    const channel =
      channels.find(destination, tcp.destinationPort, source) ?? channels.find(source, tcp.sourcePort, destination);
    const app = channel ? null : portProtocol(tcp.sourcePort, tcp.destinationPort);
    const service =
      channel !== null
        ? { port: tcp.destinationPort, reader: { kind: 'ftp-data', channel } as const }
        : typeof app === 'number'
          ? { port: app, reader: serviceFor(app, this.#context, source, destination, tcp.sourcePort) }
          : null;
    const mysqlPort = tcp.destinationPort === MYSQL_PORT || tcp.sourcePort === MYSQL_PORT ? MYSQL_PORT : 0;
    const conv = new Conversation(
      source,
      tcp.sourcePort,
      app === 'http' ? new HttpConversation() : null,
      app === 'tls' ? new TlsConversation() : null,
      service,
      app !== null || channel !== null,
      mysqlPort,
    );
    this.#conversations.set(key, conv);
    return conv;
  }

  /** Forget a conversation, giving back what its services kept of a message. */
  #forget(key: string, conv: Conversation): void {
    disposeService(conv.service?.reader ?? null);
    disposeService(conv.tunnel);
    this.#conversations.delete(key);
  }
}
