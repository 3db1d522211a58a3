import type { Endpoint } from '../../observe/observation.js';
import { flowKey } from '../decode/flowKey.js';
import type { DecodedPacket } from '../decode/packet.js';
import { TCP_FLAGS, type TcpHeader } from '../decode/tcp.js';
import { connState, type FlowFacts, type FlowSummary } from '../flows/flow.js';
import { connectionUid } from './connectionUid.js';
import { type CutRequest, type CutResponse, RequestCutter, ResponseCutter } from './httpCutter.js';
import { type Delivery, StreamBuffer } from './reassembly.js';
import { RecentKeys } from './recentKeys.js';

export interface ConnectionLimits {
  /** Connections tracked at once; the oldest is closed beyond this. */
  readonly maxConnections: number;
  /** Out-of-order bytes held per direction. */
  readonly maxBufferedPerStream: number;
  /** Out-of-order bytes held over all connections; the oldest connections are closed beyond this. */
  readonly maxBufferedTotal: number;
  /** A connection silent this long (capture time) is closed. */
  readonly idleMs: number;
  /** Requests waiting for their response per connection, before they are reported without a status. */
  readonly maxPendingRequests: number;
  /** Packet-log lines kept per connection as evidence. */
  readonly maxLines: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 100_000,
  maxBufferedPerStream: 1 << 20,
  maxBufferedTotal: 64 << 20,
  idleMs: 5 * 60_000,
  maxPendingRequests: 16,
  maxLines: 64,
};

/** Keys of closed connections remembered, so their trailing ACKs and RSTs are absorbed. */
const RECENTLY_CLOSED = 8192;

/** TCP ports where non-HTTP client data is itself worth reporting. */
const HTTP_PORTS = new Set([80, 8000, 8008, 8080, 8088, 3128, 8888]);

export interface ConnectionView {
  /** Serial number within the capture. */
  readonly id: number;
  /** Start, ms since the epoch. */
  readonly start: number;
  readonly uid: string;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  /** The endpoint that sent requests (normally the originator). */
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly lines: readonly string[];
  /** The Zeek-style summary; built on demand, since most connections are never reported. */
  summary(): FlowSummary;
  /** The summary but its uid (a hash): a small snapshot to keep while a verdict is pending. */
  flowFacts(): FlowFacts;
}

export interface ConnectionSink {
  /** One HTTP request, with its response status when the response was seen. */
  request(conn: ConnectionView, request: CutRequest, status: number | null, timeMs: number): void;
  /** The connection ended (FIN/RST, idle, evicted or end of input); `conn.summary()` describes it. */
  closed(conn: ConnectionView): void;
}

/** Zeek history letters: lower case for the responder, upper case for the originator (a table, not toUpperCase per packet). */
const ORIGINATOR_LETTER = { h: 'H', s: 'S', r: 'R', d: 'D', a: 'A', f: 'F' } as const;
type HistoryLetter = keyof typeof ORIGINATOR_LETTER;

interface Pending {
  readonly request: CutRequest;
  readonly time: number;
}

class Connection implements ConnectionView {
  readonly id: number;
  #uid: string | null = null;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  readonly start: number;
  last: number;
  readonly streams: [StreamBuffer, StreamBuffer];
  readonly requests: RequestCutter;
  readonly responses: ResponseCutter;
  readonly pending: Pending[] = [];
  /** Methods of requests whose response head has not been read yet (the response cutter takes them). */
  readonly methods: string[] = [];
  readonly pkts: [number, number] = [0, 0];
  readonly ipBytes: [number, number] = [0, 0];
  readonly bytes: [number, number] = [0, 0];
  missed = 0;
  history = '';
  readonly syn: [boolean, boolean] = [false, false];
  readonly fin: [boolean, boolean] = [false, false];
  readonly rst: [boolean, boolean] = [false, false];
  synAck = false;
  http = false;
  closed = false;
  lines: string[] = [];

  constructor(id: number, originator: Endpoint, responder: Endpoint, start: number, limits: ConnectionLimits) {
    this.id = id;
    this.originator = originator;
    this.responder = responder;
    this.start = start;
    this.last = start;
    this.streams = [
      new StreamBuffer({ maxBuffered: limits.maxBufferedPerStream }),
      new StreamBuffer({ maxBuffered: limits.maxBufferedPerStream }),
    ];
    this.requests = new RequestCutter(HTTP_PORTS.has(responder.port));
    this.responses = new ResponseCutter(() => this.methods.shift());
  }

  /** A hash of the connection's identity: computed on first use (a SHA-256 per connection is costly). */
  get uid(): string {
    this.#uid ??= connectionUid(this.start, this.originator, this.responder);
    return this.#uid;
  }

  get client(): Endpoint {
    return this.originator;
  }

  get server(): Endpoint {
    return this.responder;
  }

  get buffered(): number {
    return this.streams[0].bufferedBytes + this.streams[1].bufferedBytes;
  }

  note(dir: 0 | 1, letter: HistoryLetter): void {
    const l = dir === 0 ? ORIGINATOR_LETTER[letter] : letter;
    if (!this.history.includes(l)) this.history += l;
  }

  summary(): FlowSummary {
    return { uid: this.uid, ...this.flowFacts() };
  }

  flowFacts(): FlowFacts {
    return {
      ts: this.start,
      orig_h: this.originator.ip,
      orig_p: this.originator.port,
      resp_h: this.responder.ip,
      resp_p: this.responder.port,
      proto: 'tcp',
      service: this.http ? 'http' : '',
      duration: (this.last - this.start) / 1000,
      orig_bytes: this.bytes[0],
      resp_bytes: this.bytes[1],
      conn_state: connState({
        origSyn: this.syn[0],
        respSynAck: this.synAck,
        origFin: this.fin[0],
        respFin: this.fin[1],
        origRst: this.rst[0],
        respRst: this.rst[1],
        origData: this.bytes[0] > 0,
        respData: this.bytes[1] > 0,
      }),
      missed_bytes: this.missed,
      history: this.history,
      orig_pkts: this.pkts[0],
      orig_ip_bytes: this.ipBytes[0],
      resp_pkts: this.pkts[1],
      resp_ip_bytes: this.ipBytes[1],
    };
  }
}

/**
 * Follows TCP connections: puts each direction back in order (bounded, first-wins), cuts HTTP
 * requests and responses, pairs them, and summarises each connection when it ends.
 */
export class ConnectionTracker {
  readonly #connections = new Map<string, Connection>();
  readonly #recentlyClosed = new RecentKeys(RECENTLY_CLOSED);
  readonly #limits: ConnectionLimits;
  readonly #sink: ConnectionSink;
  #buffered = 0;
  #sinceSweep = 0;
  /** Connections opened so far: the next one's id. */
  #opened = 0;

  constructor(sink: ConnectionSink, limits: Partial<ConnectionLimits> = {}) {
    this.#sink = sink;
    this.#limits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  }

  get size(): number {
    return this.#connections.size;
  }

  /**
   * One TCP packet; `line` is its packet-log line when the log is being written, `key` its
   * `flowKey` when the caller already has it.
   */
  segment(p: DecodedPacket, tcp: TcpHeader, timeMs: number, line: string | null, key?: string): void {
    const ip = p.ip!;
    if (key === undefined) key = flowKey(p, tcp.sourcePort, tcp.destinationPort);
    let conn = this.#connections.get(key);
    const isSyn = (tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === TCP_FLAGS.SYN;
    if (!conn && this.#recentlyClosed.has(key)) {
      // The last packets of a connection already summarised: nothing more to learn from them.
      if (!isSyn) return;
      this.#recentlyClosed.delete(key);
    }
    if (!conn) conn = this.#open(key, ip.source, ip.destination, tcp, timeMs);
    const dir: 0 | 1 = conn.originator.ip === ip.source && conn.originator.port === tcp.sourcePort ? 0 : 1;
    conn.last = timeMs;
    conn.pkts[dir]++;
    conn.ipBytes[dir] += ip.totalLength;
    if (line !== null && !conn.closed && conn.lines.length < this.#limits.maxLines) conn.lines.push(line);
    // Both FINs were seen: this packet (normally the last ACK) ends the connection.
    if (conn.fin[0] && conn.fin[1]) {
      this.#retire(key, conn);
      return;
    }
    this.#track(conn, dir, tcp, p.payload);
    if (conn.rst[0] || conn.rst[1]) this.#retire(key, conn);
    if (++this.#sinceSweep >= 4096) {
      this.#sinceSweep = 0;
      this.#sweep(timeMs);
    }
  }

  /** Close every connection (end of input). */
  flushAll(): void {
    for (const conn of [...this.#connections.values()]) this.#close(conn);
    this.#connections.clear();
    this.#buffered = 0;
  }

  #open(key: string, src: string, dst: string, tcp: TcpHeader, timeMs: number): Connection {
    if (this.#connections.size >= this.#limits.maxConnections) this.#evictOldest();
    const synAck = (tcp.flags & (TCP_FLAGS.SYN | TCP_FLAGS.ACK)) === (TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    const from = { ip: src, port: tcp.sourcePort };
    const to = { ip: dst, port: tcp.destinationPort };
    // A SYN-ACK first means we missed the SYN: its receiver opened the connection.
    const id = ++this.#opened;
    const conn = synAck
      ? new Connection(id, to, from, timeMs, this.#limits)
      : new Connection(id, from, to, timeMs, this.#limits);
    if (synAck) conn.history = '^';
    this.#connections.set(key, conn);
    return conn;
  }

  #track(conn: Connection, dir: 0 | 1, tcp: TcpHeader, payload: Uint8Array): void {
    const f = tcp.flags;
    const stream = conn.streams[dir];
    if (f & TCP_FLAGS.SYN) {
      if (f & TCP_FLAGS.ACK) {
        conn.synAck = true;
        conn.note(dir, 'h');
      } else {
        conn.syn[dir] = true;
        conn.note(dir, 's');
      }
      stream.start((tcp.seq + 1) >>> 0);
    }
    if (f & TCP_FLAGS.RST) {
      conn.rst[dir] = true;
      conn.note(dir, 'r');
    }
    if (payload.length > 0) {
      conn.note(dir, 'd');
      const before = stream.bufferedBytes;
      this.#deliver(conn, dir, stream.push(tcp.seq, payload));
      this.#buffered += stream.bufferedBytes - before;
      if (this.#buffered > this.#limits.maxBufferedTotal) this.#shed();
    } else if ((f & (TCP_FLAGS.SYN | TCP_FLAGS.FIN | TCP_FLAGS.RST)) === 0 && f & TCP_FLAGS.ACK) {
      conn.note(dir, 'a');
    }
    if (f & TCP_FLAGS.FIN) {
      conn.fin[dir] = true;
      conn.note(dir, 'f');
    }
  }

  #deliver(conn: Connection, dir: 0 | 1, d: Delivery): void {
    conn.missed += d.missed;
    // HTTP clients speak first: a server that greets before its client has said anything
    // speaks SMTP, FTP, POP3, IMAP or SSH, and its client's commands are no HTTP requests.
    // Only where the handshake was seen: picked up mid-stream, who spoke first is unknown.
    if (dir === 1 && conn.syn[0] && conn.bytes[0] === 0 && d.chunks.length > 0) conn.requests.abandon();
    for (const chunk of d.chunks) {
      conn.bytes[dir] += chunk.length;
      if (dir === 0) for (const r of conn.requests.push(chunk)) this.#request(conn, r);
      else for (const r of conn.responses.push(chunk)) this.#response(conn, r);
    }
  }

  #request(conn: Connection, request: CutRequest): void {
    conn.http = true;
    conn.pending.push({ request, time: conn.last });
    conn.methods.push(request.method);
    if (conn.methods.length > this.#limits.maxPendingRequests) conn.methods.shift();
    while (conn.pending.length > this.#limits.maxPendingRequests) {
      const old = conn.pending.shift() as Pending;
      this.#sink.request(conn, old.request, null, old.time);
    }
  }

  #response(conn: Connection, response: CutResponse): void {
    if (response.status >= 100 && response.status < 200 && response.status !== 101) return;
    const p = conn.pending.shift();
    if (p) this.#sink.request(conn, p.request, response.status, p.time);
  }

  #close(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    for (const dir of [0, 1] as const) {
      const before = conn.streams[dir].bufferedBytes;
      this.#deliver(conn, dir, conn.streams[dir].flush());
      this.#buffered -= before;
    }
    for (const r of conn.requests.end()) this.#request(conn, r);
    for (const r of conn.responses.end()) this.#response(conn, r);
    for (const p of conn.pending.splice(0)) this.#sink.request(conn, p.request, null, p.time);
    this.#sink.closed(conn);
    conn.lines = [];
  }

  /** Close, forget, and remember the key for a while so trailing packets do not reopen it. */
  #retire(key: string, conn: Connection): void {
    this.#close(conn);
    this.#connections.delete(key);
    this.#recentlyClosed.add(key);
  }

  #evictOldest(): void {
    const first = this.#connections.entries().next().value;
    if (!first) return;
    this.#close(first[1]);
    this.#connections.delete(first[0]);
  }

  /** Over the total memory bound: close the oldest connections until under it. */
  #shed(): void {
    for (const [key, conn] of this.#connections) {
      if (this.#buffered <= this.#limits.maxBufferedTotal) return;
      if (conn.buffered === 0) continue;
      this.#close(conn);
      this.#connections.delete(key);
    }
  }

  #sweep(now: number): void {
    for (const [key, conn] of this.#connections) {
      if (now - conn.last < this.#limits.idleMs) continue;
      this.#close(conn);
      this.#connections.delete(key);
    }
  }
}
