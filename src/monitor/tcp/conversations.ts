import { flowKey } from '../decode/flowKey.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS, type TcpHeader, windowScaleShift } from '../decode/tcp.js';
import type { PacketRecord } from '../evidence/packetRecord.js';
import { ByteBudget } from '../protocols/byteBudget.js';
import { FtpDataChannels } from '../protocols/ftp.js';
import { HttpNaming } from '../protocols/http/httpNaming.js';
import { MYSQL_PORT } from '../protocols/mysql.js';
import { TlsConversation } from '../protocols/tls.js';
import { readApplication } from './application.js';
import { Connection, type ConnectionSink, type Ending } from './connection.js';
import { ConnectionReader, FrameInHand, type StreamEventsSink } from './connectionReader.js';
import { Conversation } from './conversation.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './limits.js';
import { RecentKeys } from './recentKeys.js';
import {
  ANALYSIS,
  analyseSegment,
  baseSeqOf,
  isPortReuse,
  RETRANSMITTED,
  type SegmentFacts,
} from './sequenceAnalysis.js';
import { disposeService, portProtocol, type ServiceContext, serviceFor } from './service.js';
import { TcpSegment } from './tcpSegment.js';

/** Connections tracked between two sweeps for idle ones. */
const SWEEP_EVERY = 4096;

/** A sink for a table whose connections are not tracked (the packet log alone). */
const NO_SINK: ConnectionSink = { request() {}, closed() {} };

export interface ConversationsOptions {
  /** Where tracked connections report their HTTP requests and their end. */
  readonly sink?: ConnectionSink;
  readonly limits?: Partial<ConnectionLimits>;
  /** Where the protocol analyzers' events go besides the segment of the frame that completed them (the detectors). */
  readonly events?: StreamEventsSink;
  /**
   * Read every protocol the packet log shows (HTTP, TLS, WebSocket, tunnels, the heuristics
   * for ports no dissector claims). Without it only the services by port are read — what the
   * detectors count — and HTTP reaches the rule engine through the connections' own reading
   * of their reassembled streams, as it does either way.
   */
  readonly readAll?: boolean;
}

const EMPTY = new Uint8Array(0);

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
 * The TCP conversations of one capture, found by their 4-tuple — one table for every reader of
 * TCP, read once (`read`): tshark's sequence analysis of the segment (relative numbers,
 * retransmissions, lost segments, port reuse), then the conversation's Connection — the one
 * reassembly of each direction — whose in-order bytes the one HTTP framer reads for the rule
 * engine and the protocol analyzers (./connectionReader.ts, ./application.ts) read into the
 * events the packet log renders and the detectors count. Then `track`, once the frame's line is known:
 * the conn record counts it, and the connection ends where it ends (reported through the sink).
 *
 * Bounded: at most `maxConnections` conversations (the oldest closed and forgotten first), the
 * ended ones remembered for their trailing packets only up to `maxEnded`, idle connections
 * closed, out-of-order bytes capped.
 */
export class Conversations {
  readonly #conversations = new Map<string, Conversation>();
  readonly #context: ServiceContext;
  readonly #limits: ConnectionLimits;
  readonly #sink: ConnectionSink;
  readonly #events: StreamEventsSink | null;
  /** Conversations whose connection ended, the earliest forgotten first. */
  readonly #ended: RecentKeys;
  readonly #input = new SegmentInput();
  readonly #segment = new TcpSegment();
  readonly #frame = new FrameInHand();
  /** The segment read last came after both FINs: it ends its connection (in `track`). */
  #afterFins = false;
  /** Out-of-order bytes held over all connections. */
  #buffered = 0;
  #sinceSweep = 0;
  /** Connections opened so far: the next one's id. */
  #opened = 0;

  constructor(options: ConversationsOptions = {}) {
    this.#sink = options.sink ?? NO_SINK;
    this.#events = options.events ?? null;
    this.#limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    this.#ended = new RecentKeys(this.#limits.maxEnded);
    this.#context = { budget: new ByteBudget(), ftpChannels: new FtpDataChannels(), readsAll: options.readAll ?? true };
  }

  get size(): number {
    return this.#conversations.size;
  }

  /**
   * Read one TCP segment (in capture order): tshark's sequence analysis (relative numbers,
   * retransmissions, lost segments, port reuse), then the segment goes into its connection —
   * the one reassembly — whose in-order bytes the HTTP analyzer of the rule engine and the
   * protocol analyzers read; the analyzers' events land in the segment of the frame whose bytes
   * completed them. `ns` is its time since the capture's first frame, `timeMs` its capture time,
   * `key` its `flowKey` when the caller already has it. The result is overwritten by the next
   * call. Null when nothing reads it: a trailing packet of a connection that ended, where the
   * table does not read everything (and so forgets ended conversations). Call `track` next.
   */
  read(p: DecodedPacket, tcp: TcpHeader, ns: number, timeMs: number, key?: string): TcpSegment | null {
    const ip = p.ip!;
    const k = key ?? flowKey(p, tcp.sourcePort, tcp.destinationPort);
    let conv = this.#conversations.get(k);
    if (conv === undefined && !this.#context.readsAll && this.#ended.has(k)) {
      if ((tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) !== TCP_FLAGS.SYN) return null;
      this.#ended.delete(k);
    }
    const seg = this.#segment;
    seg.reset();
    let reused = false;
    if (conv?.analysis && isPortReuse(conv.analysis, conv.directionOf(ip.source, tcp.sourcePort), tcp.flags, tcp.seq)) {
      this.#forget(conv, 'evicted');
      conv = undefined;
      reused = true;
    }
    if (!conv) conv = this.#open(k, ip.source, ip.destination, tcp);
    const dir = conv.directionOf(ip.source, tcp.sourcePort);
    seg.conversation = conv;
    seg.dir = dir;
    const analysis = conv.analysis;
    if (analysis !== null) {
      const input = this.#input;
      input.seq = tcp.seq;
      input.ack = tcp.ack;
      input.flags = tcp.flags;
      input.window = tcp.window;
      input.length = tcp.payloadLength;
      // Only a SYN's window scale counts (tshark's verify_tcp_window_scaling).
      input.wsShift = (tcp.flags & 0x02) !== 0 ? windowScaleShift(p.frame.bytes, tcp, p.frame.start) : -1;
      input.frame = p.frame.number;
      input.time = ns;
      analyseSegment(analysis, dir, input, seg);
      // Read now, as the numbers are: this packet's, whatever the application layer does next.
      seg.reverseBase = baseSeqOf(analysis, dir === 0 ? 1 : 0);
      if (reused) seg.flags |= ANALYSIS.REUSED_PORTS;
    }
    this.#receive(seg, p, tcp, timeMs);
    return seg;
  }

  /** The segment into its connection (opened on its first packet): reassembled, and its new bytes read. */
  #receive(seg: TcpSegment, p: DecodedPacket, tcp: TcpHeader, timeMs: number): void {
    const conv = seg.conversation;
    const ip = p.ip!;
    this.#afterFins = false;
    let conn = conv.connection;
    const bareSyn = (tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN;
    // A new SYN where a connection was already opened: the ports are reused (tshark's
    // analysis finds it where it reads the conversation; this, where nothing does).
    if (
      conn !== null &&
      bareSyn &&
      conn.directionOf(ip.source, tcp.sourcePort) === 0 &&
      conn.openedBy(tcp.seq) === false
    ) {
      this.#close(conv, 'evicted');
      conn = null;
    }
    if (conn === null) {
      // The last packets of a connection that ended: nothing more to learn from them.
      if ((conv.ended === 'fin' || conv.ended === 'rst') && !bareSyn) return;
      conn = this.#connect(conv, ip.source, ip.destination, tcp, timeMs);
    }
    // Both FINs were seen: this packet (normally the last ACK) ends the connection (in `track`).
    this.#afterFins = conn.finished;
    if (this.#afterFins) return;
    const frame = this.#frame;
    frame.seg = seg;
    frame.flags = tcp.flags;
    // The payload is read in the frame's bytes, where the decoder found it (as `p.payload` views it): no view is made.
    const f = p.frame;
    const start = f.start + tcp.payloadOffset;
    const end = tcp.payloadLength <= 0 || start >= f.end ? start : Math.min(f.end, start + tcp.payloadLength);
    this.#buffered += conn.segment(conn.directionOf(ip.source, tcp.sourcePort), tcp, f.bytes, start, end, timeMs);
    // A segment without data (a FIN may end a body read to the close); a retransmission is
    // read by nobody, as tshark hands it to no dissector.
    if (conv.analysis !== null && end === start && (seg.flags & RETRANSMITTED) === 0)
      readApplication(conv, conn, seg, tcp, EMPTY, this.#context);
  }

  /**
   * The segment `read` just returned, once its packet-log record is filled (`packet`, when the
   * log is made: its connection keeps a copy as evidence): counted, and its connection ended
   * where it ends it.
   */
  track(seg: TcpSegment, p: DecodedPacket, tcp: TcpHeader, timeMs: number, packet: PacketRecord | null): void {
    const conv = seg.conversation;
    const ip = p.ip!;
    const conn = conv.connection;
    // A trailing packet of a connection that ended.
    if (conn === null) return;
    const dir = conn.directionOf(ip.source, tcp.sourcePort);
    conn.count(dir, ip.totalLength, timeMs, packet, this.#limits.maxLines);
    if (this.#afterFins) {
      this.#end(conv, 'fin');
      return;
    }
    if (this.#buffered > this.#limits.maxBufferedTotal) this.#shed();
    if (conn.reset) this.#end(conv, 'rst');
    if (++this.#sinceSweep >= SWEEP_EVERY) {
      this.#sinceSweep = 0;
      this.#sweep(timeMs);
    }
  }

  /** End every open connection (end of input). */
  flushAll(): void {
    this.#frame.seg = null;
    for (const conv of this.#conversations.values()) this.#close(conv, 'end');
  }

  #connect(conv: Conversation, src: string, dst: string, tcp: TcpHeader, timeMs: number): Connection {
    const synAck = (tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    const from = { ip: src, port: tcp.sourcePort };
    const to = { ip: dst, port: tcp.destinationPort };
    // A SYN-ACK first means we missed the SYN: its receiver opened the connection.
    const opening = {
      id: ++this.#opened,
      originator: synAck ? to : from,
      responder: synAck ? from : to,
      start: timeMs,
      synAck,
      httpPort: conv.httpByPort,
      logged: this.#context.readsAll,
    };
    const conn = new Connection(opening, this.#limits, this.#sink);
    if (conv.analysis !== null)
      conn.reader = new ConnectionReader(conv, conn, this.#frame, this.#context, this.#events);
    conv.connection = conn;
    return conn;
  }

  /**
   * Close a conversation's connection. Reading everything, the conversation is remembered for a
   * while, so its trailing packets get tshark's numbers; else it is forgotten at once, and for a
   * connection that ended by FIN or RST only its key is kept a while, so that its trailing
   * packets open nothing.
   */
  #end(conv: Conversation, ending: Ending): void {
    this.#close(conv, ending);
    if (!this.#context.readsAll) {
      this.#forget(conv, ending);
      if (ending === 'fin' || ending === 'rst') this.#ended.add(conv.key);
      return;
    }
    const forgotten = this.#ended.add(conv.key);
    if (forgotten === undefined) return;
    const old = this.#conversations.get(forgotten);
    if (old !== undefined && old.connection === null) this.#forget(old, 'evicted');
  }

  /** Close a conversation's connection, if it has one open, and let it go (its record is reported). */
  #close(conv: Conversation, ending: Ending): void {
    const conn = conv.connection;
    if (conn === null) return;
    conv.connection = null;
    conv.ended = ending;
    this.#buffered -= conn.close();
  }

  /** Over the total memory bound: close the oldest connections holding bytes until under it. */
  #shed(): void {
    for (const conv of this.#conversations.values()) {
      if (this.#buffered <= this.#limits.maxBufferedTotal) return;
      if (conv.connection === null || conv.connection.buffered === 0) continue;
      this.#end(conv, 'shed');
    }
  }

  #sweep(now: number): void {
    for (const conv of this.#conversations.values()) {
      const conn = conv.connection;
      if (conn === null || now - conn.last < this.#limits.idleMs) continue;
      this.#end(conv, 'idle');
    }
  }

  #open(key: string, source: string, destination: string, tcp: TcpHeader): Conversation {
    if (this.#conversations.size >= this.#limits.maxConnections) {
      const oldest = this.#conversations.values().next().value;
      if (oldest !== undefined) this.#forget(oldest, 'evicted');
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
    const readsAll = this.#context.readsAll;
    const conv = new Conversation({
      key,
      firstIp: source,
      firstPort: tcp.sourcePort,
      httpByPort: app === 'http',
      httpNaming: app === 'http' && readsAll ? new HttpNaming() : null,
      tls: app === 'tls' && readsAll ? new TlsConversation() : null,
      service,
      portClaimed: app !== null || channel !== null,
      mysqlPort,
      read: readsAll || service !== null || mysqlPort !== 0,
    });
    this.#conversations.set(key, conv);
    return conv;
  }

  /** Forget a conversation, its connection closed and what its services kept of a message given back. */
  #forget(conv: Conversation, ending: Ending): void {
    this.#close(conv, ending);
    disposeService(conv.service?.reader ?? null);
    disposeService(conv.tunnel);
    this.#conversations.delete(conv.key);
  }
}
