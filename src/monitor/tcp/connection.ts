import type { Endpoint } from '../../observe/observation.js';
import { TCP_FLAGS, type TcpHeader } from '../decode/tcp.js';
import { connState } from '../evidence/connState.js';
import { HttpTransaction } from '../evidence/httpRecords.js';
import type { ConnFacts, ConnRecord, DnsRecord, FlowEvidence } from '../evidence/records.js';
import { type CutRequest, type CutResponse, RequestCutter, ResponseCutter } from '../protocols/http/cutter.js';
import { connectionUid } from './connectionUid.js';
import type { ConnectionLimits } from './limits.js';
import { type Delivery, StreamBuffer } from './streamBuffer.js';

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
  /** The DNS answers that led its originator to its responder (set when it ends). */
  readonly dns: readonly DnsRecord[];
  /** Its evidence; built on demand, since most connections are never reported. */
  evidence(): FlowEvidence;
  /** The conn record but its uid (a hash): a small snapshot to keep while a verdict is pending. */
  connFacts(): ConnFacts;
  /** Its HTTP requests so far, each with the status that answered it. */
  readonly transactions: readonly HttpTransaction[];
}

export interface ConnectionSink {
  /** One HTTP request, with its response status when the response was seen. */
  request(conn: ConnectionView, request: CutRequest, status: number | null, timeMs: number): void;
  /** The connection ended (FIN/RST, idle, evicted or end of input); `conn.evidence()` describes it. */
  closed(conn: Connection): void;
}

/**
 * Why a connection ended: both FINs or a RST (its trailing packets are its own, and open
 * nothing); or it was closed for it — idle, its conversation evicted, memory shed, the end of
 * the input — and a packet after that starts a connection anew.
 */
export type Ending = 'fin' | 'rst' | 'idle' | 'evicted' | 'shed' | 'end';

/** Zeek history letters: lower case for the responder, upper case for the originator (a table, not toUpperCase per packet). */
const ORIGINATOR_LETTER = { h: 'H', s: 'S', r: 'R', d: 'D', a: 'A', f: 'F' } as const;
type HistoryLetter = keyof typeof ORIGINATOR_LETTER;

interface Pending {
  readonly request: CutRequest;
  readonly time: number;
  /** Its evidence, while there is room for it. */
  readonly transaction: HttpTransaction | null;
}

/** HTTP requests kept per connection as evidence. */
const MAX_TRANSACTIONS = 16;
const NO_TRANSACTIONS: readonly HttpTransaction[] = [];

/**
 * One TCP connection as its receiver's stack assembles it: each direction put back in order
 * (bounded, first-wins, so a crafted retransmission cannot rewrite what was seen), the HTTP
 * requests and responses cut from those streams and paired, and the Zeek conn record (bytes,
 * packets, history, state). Where tshark's reading (../protocols) follows what was captured
 * segment by segment, this follows what the endpoints received: the rule engine reads it.
 */
export class Connection implements ConnectionView {
  readonly id: number;
  #uid: string | null = null;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  readonly start: number;
  last: number;
  readonly #streams: [StreamBuffer, StreamBuffer];
  readonly #requests: RequestCutter;
  readonly #responses: ResponseCutter;
  readonly #pending: Pending[] = [];
  /** Methods of requests whose response head has not been read yet (the response cutter takes them). */
  readonly #methods: string[] = [];
  readonly #pkts: [number, number] = [0, 0];
  readonly #ipBytes: [number, number] = [0, 0];
  readonly #bytes: [number, number] = [0, 0];
  #missed = 0;
  #history = '';
  readonly #syn: [boolean, boolean] = [false, false];
  readonly fin: [boolean, boolean] = [false, false];
  readonly rst: [boolean, boolean] = [false, false];
  #synAck = false;
  /** The originator's initial sequence number, from its SYN. */
  #isn: number | null = null;
  #http = false;
  #closed = false;
  lines: string[] = [];
  dns: readonly DnsRecord[] = [];
  /** None until a first request: most connections carry none worth an array. */
  #transactions: HttpTransaction[] | null = null;

  /**
   * `synAck`: its first packet seen was the responder's SYN-ACK (we missed the SYN).
   * `httpPort`: its conversation is HTTP by port, where data that is no HTTP is reported too.
   */
  constructor(
    id: number,
    originator: Endpoint,
    responder: Endpoint,
    start: number,
    synAck: boolean,
    httpPort: boolean,
    limits: ConnectionLimits,
  ) {
    this.id = id;
    this.originator = originator;
    this.responder = responder;
    this.start = start;
    this.last = start;
    if (synAck) this.#history = '^';
    this.#streams = [
      new StreamBuffer({ maxBuffered: limits.maxBufferedPerStream }),
      new StreamBuffer({ maxBuffered: limits.maxBufferedPerStream }),
    ];
    this.#requests = new RequestCutter(httpPort);
    this.#responses = new ResponseCutter(() => this.#methods.shift());
  }

  get transactions(): readonly HttpTransaction[] {
    return this.#transactions ?? NO_TRANSACTIONS;
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

  /** Bytes held out of order, both directions. */
  get buffered(): number {
    return this.#streams[0].bufferedBytes + this.#streams[1].bufferedBytes;
  }

  /**
   * Whether a SYN with sequence number `seq` is the one that opened it (a retransmission):
   * null when no SYN was seen yet.
   */
  openedBy(seq: number): boolean | null {
    return this.#isn === null ? null : seq === this.#isn;
  }

  /** 0 for a packet from the originator, else 1. */
  directionOf(ip: string, port: number): 0 | 1 {
    return this.originator.ip === ip && this.originator.port === port ? 0 : 1;
  }

  /** A packet's count and size, and its line of the packet log when one is written. */
  count(dir: 0 | 1, ipBytes: number, timeMs: number, line: string | null, maxLines: number): void {
    this.last = timeMs;
    this.#pkts[dir]++;
    this.#ipBytes[dir] += ipBytes;
    if (line !== null && this.lines.length < maxLines) this.lines.push(line);
  }

  /** One segment's flags and payload; returns the change in bytes held out of order. */
  segment(dir: 0 | 1, tcp: TcpHeader, payload: Uint8Array, sink: ConnectionSink, limits: ConnectionLimits): number {
    const f = tcp.flags;
    const stream = this.#streams[dir];
    if (f & TCP_FLAGS.SYN) {
      if (f & TCP_FLAGS.ACK) {
        this.#synAck = true;
        this.#note(dir, 'h');
      } else {
        this.#syn[dir] = true;
        this.#note(dir, 's');
        if (dir === 0) this.#isn ??= tcp.seq;
      }
      stream.start((tcp.seq + 1) >>> 0);
    }
    if (f & TCP_FLAGS.RST) {
      this.rst[dir] = true;
      this.#note(dir, 'r');
    }
    let change = 0;
    if (payload.length > 0) {
      this.#note(dir, 'd');
      const before = stream.bufferedBytes;
      this.#deliver(dir, stream.push(tcp.seq, payload), sink, limits);
      change = stream.bufferedBytes - before;
    } else if ((f & (TCP_FLAGS.SYN | TCP_FLAGS.FIN | TCP_FLAGS.RST)) === 0 && f & TCP_FLAGS.ACK) {
      this.#note(dir, 'a');
    }
    if (f & TCP_FLAGS.FIN) {
      this.fin[dir] = true;
      this.#note(dir, 'f');
    }
    return change;
  }

  /** End it: what is held is delivered over its gaps, requests still waiting are reported; returns the bytes let go. */
  close(sink: ConnectionSink, limits: ConnectionLimits): number {
    if (this.#closed) return 0;
    this.#closed = true;
    const held = this.buffered;
    for (const dir of [0, 1] as const) this.#deliver(dir, this.#streams[dir].flush(), sink, limits);
    for (const r of this.#requests.end()) this.#request(r, sink, limits);
    for (const r of this.#responses.end()) this.#response(r, sink);
    for (const p of this.#pending.splice(0)) sink.request(this, p.request, null, p.time);
    sink.closed(this);
    this.lines = [];
    return held;
  }

  evidence(): FlowEvidence {
    const uid = this.uid;
    const conn: ConnRecord = { uid, ...this.connFacts() };
    const http = this.transactions.map((t, i) => t.record(uid, i + 1));
    return { conn, http, dns: this.dns, lines: this.lines };
  }

  connFacts(): ConnFacts {
    return {
      ts: this.start / 1000,
      'id.orig_h': this.originator.ip,
      'id.orig_p': this.originator.port,
      'id.resp_h': this.responder.ip,
      'id.resp_p': this.responder.port,
      proto: 'tcp',
      ...(this.#http ? { service: 'http' } : {}),
      duration: (this.last - this.start) / 1000,
      orig_bytes: this.#bytes[0],
      resp_bytes: this.#bytes[1],
      conn_state: connState({
        origSyn: this.#syn[0],
        respSynAck: this.#synAck,
        origFin: this.fin[0],
        respFin: this.fin[1],
        origRst: this.rst[0],
        respRst: this.rst[1],
        origData: this.#bytes[0] > 0,
        respData: this.#bytes[1] > 0,
      }),
      missed_bytes: this.#missed,
      history: this.#history,
      orig_pkts: this.#pkts[0],
      orig_ip_bytes: this.#ipBytes[0],
      resp_pkts: this.#pkts[1],
      resp_ip_bytes: this.#ipBytes[1],
    };
  }

  #note(dir: 0 | 1, letter: HistoryLetter): void {
    const l = dir === 0 ? ORIGINATOR_LETTER[letter] : letter;
    if (!this.#history.includes(l)) this.#history += l;
  }

  #deliver(dir: 0 | 1, d: Delivery, sink: ConnectionSink, limits: ConnectionLimits): void {
    this.#missed += d.missed;
    // HTTP clients speak first: a server that greets before its client has said anything
    // speaks SMTP, FTP, POP3, IMAP or SSH, and its client's commands are no HTTP requests.
    // Only where the handshake was seen: picked up mid-stream, who spoke first is unknown.
    if (dir === 1 && this.#syn[0] && this.#bytes[0] === 0 && d.chunks.length > 0) this.#requests.abandon();
    for (const chunk of d.chunks) {
      this.#bytes[dir] += chunk.length;
      if (dir === 0) for (const r of this.#requests.push(chunk)) this.#request(r, sink, limits);
      else for (const r of this.#responses.push(chunk)) this.#response(r, sink);
    }
  }

  #request(request: CutRequest, sink: ConnectionSink, limits: ConnectionLimits): void {
    this.#http = true;
    const transaction =
      this.transactions.length < MAX_TRANSACTIONS ? new HttpTransaction(request.raw, this.last) : null;
    if (transaction !== null) {
      this.#transactions ??= [];
      this.#transactions.push(transaction);
    }
    this.#pending.push({ request, time: this.last, transaction });
    this.#methods.push(request.method);
    if (this.#methods.length > limits.maxPendingRequests) this.#methods.shift();
    while (this.#pending.length > limits.maxPendingRequests) {
      const old = this.#pending.shift() as Pending;
      sink.request(this, old.request, null, old.time);
    }
  }

  #response(response: CutResponse, sink: ConnectionSink): void {
    if (response.status >= 100 && response.status < 200 && response.status !== 101) return;
    const p = this.#pending.shift();
    if (!p) return;
    if (p.transaction !== null) p.transaction.status = response.status;
    sink.request(this, p.request, response.status, p.time);
  }
}
