import type { Endpoint } from '../../observe/observation.js';
import { TCP_FLAGS, type TcpHeader } from '../decode/tcp.js';
import { connState } from '../evidence/connState.js';
import type { DnsLookup } from '../evidence/dnsAnswers.js';
import type { HttpTransaction } from '../evidence/httpRecords.js';
import type { CaptureStart, PacketRecord } from '../evidence/packetRecord.js';
import { PacketTable } from '../evidence/packetTable.js';
import type { ConnFacts, ConnRecord, DnsRecord, FlowEvidence } from '../evidence/records.js';
import type { JudgedConnection } from '../judge/judge.js';
import { type HttpExchangeSink, HttpStream } from '../protocols/http/httpStream.js';
import { connectionUid } from './connectionUid.js';
import type { ConnectionLimits } from './limits.js';
import { type Delivery, StreamBuffer } from './streamBuffer.js';

export interface ConnectionView extends JudgedConnection {
  readonly uid: string;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  /** Its first packets' records (up to `maxLines`) while the packet log is made; null once it ended. */
  readonly packets: PacketTable | null;
  /** The capture it was read from (set when it ends). */
  readonly capture: CaptureStart | null;
  /** The DNS answers that led its originator to its responder (known once it ended). */
  readonly dns: readonly DnsRecord[];
  /** Its evidence; built on demand, since most connections are never reported. */
  evidence(): FlowEvidence;
  /** The conn record but its uid (a hash): a small snapshot to keep while a verdict is pending. */
  connFacts(): ConnFacts;
  /** Its HTTP requests so far, each with the status that answered it. */
  readonly transactions: readonly HttpTransaction[];
}

/**
 * What reads a connection's in-order bytes after its HTTP framer: the protocol analyzers
 * (./application.ts, through ./conversations.ts), a run of contiguous bytes at a time.
 */
export interface StreamReader {
  chunk(dir: 0 | 1, chunk: Uint8Array): void;
}

export interface ConnectionSink extends HttpExchangeSink<ConnectionView> {
  /** The connection ended (FIN/RST, idle, evicted or end of input); `conn.evidence()` describes it. */
  closed(conn: Connection): void;
}

/**
 * Why a connection ended: both FINs or a RST (its trailing packets are its own, and open
 * nothing); or it was closed for it — idle, its conversation evicted, memory shed, the end of
 * the input — and a packet after that starts a connection anew.
 */
export type Ending = 'fin' | 'rst' | 'idle' | 'evicted' | 'shed' | 'end';

/** What a connection is opened with; `synAck`: its first packet seen was the responder's SYN-ACK (the SYN was missed). */
export interface ConnectionOpening {
  /** Serial number within the capture. */
  readonly id: number;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  /** Its first packet's time, ms since the epoch. */
  readonly start: number;
  readonly synAck: boolean;
  /** Its conversation is HTTP by port, where data that is no HTTP is reported too. */
  readonly httpPort: boolean;
  /** The packet log is made: HTTP bodies' first bytes are kept for its naming. */
  readonly logged: boolean;
}

/** #seen's bits for direction 0 (direction 1: shifted by one). */
const SYN = 1;
const FIN = 4;
const RST = 16;

/** Zeek's history letters' bits in #noted (the originator's, upper case, shifted by six): each looked for once. */
const LETTER_BIT = { h: 1, s: 2, r: 4, d: 8, a: 16, f: 32 } as const;
/** A noted letter's text by its bit's index in #noted (0-5 the responder's, 6-11 the originator's). */
const LETTER_TEXT = ['h', 's', 'r', 'd', 'a', 'f', 'H', 'S', 'R', 'D', 'A', 'F'];
/** Letters noted, in order, as 4-bit codes (bit index + 1), seven to a number (a small integer, no string per letter). */
const CODES_PER_NUMBER = 7;

/**
 * One TCP connection as its receiver's stack assembles it — the monitor's one reassembly: each
 * direction put back in order (bounded, first-wins, so a crafted retransmission cannot rewrite
 * what was seen), the in-order bytes handed to the HTTP analyzer (../protocols/http/httpStream.ts)
 * and to the protocol analyzers whose events the packet log and the detectors read (`reader`),
 * and the Zeek conn record (bytes, packets, history, state).
 */
export class Connection implements ConnectionView {
  readonly id: number;
  #uid: string | null = null;
  readonly originator: Endpoint;
  readonly responder: Endpoint;
  readonly start: number;
  last: number;
  /** Each direction's reassembly: fields, not an array (a connection costs one object fewer). */
  readonly #stream0: StreamBuffer;
  readonly #stream1: StreamBuffer;
  readonly #http: HttpStream<ConnectionView>;
  readonly #sink: ConnectionSink;
  /** Packets, IP bytes and payload bytes per direction: fields of the connection, no array of its own. */
  #pkts0 = 0;
  #pkts1 = 0;
  #ipBytes0 = 0;
  #ipBytes1 = 0;
  #bytes0 = 0;
  #bytes1 = 0;
  #missed = 0;
  /** Its history began with the responder's SYN-ACK (Zeek's `^`: the SYN was missed). */
  readonly #flipped: boolean;
  /** The letters of its history, in order: codes of the first seven, of the next ones, and how many. */
  #order = 0;
  #order2 = 0;
  #letters = 0;
  /** The letters noted so far, as LETTER_BIT bits. */
  #noted = 0;
  /** SYN, FIN and RST seen, per direction (SYN, FIN, RST shifted by dir): bits, not three arrays. */
  #seen = 0;
  #synAck = false;
  /** The originator's initial sequence number, from its SYN. */
  #isn: number | null = null;
  #closed = false;
  /** Its first packets' records, while the packet log is made (let go when it ends). */
  #table: PacketTable | null = null;
  capture: CaptureStart | null = null;
  /** Where its DNS evidence is looked up (set as it ends): only one whose evidence is built decodes its answer. */
  dnsLookup: DnsLookup | null = null;
  /** Who else reads the in-order bytes (the protocol analyzers); none where nothing does. */
  reader: StreamReader | null = null;

  constructor(opening: ConnectionOpening, limits: ConnectionLimits, sink: ConnectionSink) {
    this.id = opening.id;
    this.originator = opening.originator;
    this.responder = opening.responder;
    this.start = opening.start;
    this.last = opening.start;
    this.#flipped = opening.synAck;
    this.#stream0 = new StreamBuffer(limits.maxBufferedPerStream);
    this.#stream1 = new StreamBuffer(limits.maxBufferedPerStream);
    this.#http = new HttpStream(opening.httpPort, limits.maxPendingRequests, opening.logged, limits.maxTransactions);
    this.#sink = sink;
  }

  get packets(): PacketTable | null {
    return this.#table;
  }

  get transactions(): readonly HttpTransaction[] {
    return this.#http.transactions;
  }

  /** Its HTTP, framed once: what the rule engine judges and the packet log names. */
  get http(): HttpStream<ConnectionView> {
    return this.#http;
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
    return this.#stream0.bufferedBytes + this.#stream1.bufferedBytes;
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

  /** A packet's count and size, and a copy of its record when the packet log is made (its first `maxLines`). */
  count(dir: 0 | 1, ipBytes: number, timeMs: number, packet: PacketRecord | null, maxLines: number): void {
    this.last = timeMs;
    if (dir === 0) {
      this.#pkts0++;
      this.#ipBytes0 += ipBytes;
    } else {
      this.#pkts1++;
      this.#ipBytes1 += ipBytes;
    }
    if (packet === null || maxLines === 0) return;
    this.#table ??= new PacketTable();
    if (this.#table.length < maxLines) this.#table.add(packet, dir === 0);
  }

  /**
   * One segment's flags and payload, `bytes[start, end)` (read in place, no view of it is
   * made), received at `timeMs`; returns the change in bytes held out of order.
   */
  segment(dir: 0 | 1, tcp: TcpHeader, bytes: Uint8Array, start: number, end: number, timeMs: number): number {
    this.last = timeMs;
    const f = tcp.flags;
    const stream = dir === 0 ? this.#stream0 : this.#stream1;
    if (f & TCP_FLAGS.SYN) {
      if (f & TCP_FLAGS.ACK) {
        this.#synAck = true;
        this.#note(dir, LETTER_BIT.h);
      } else {
        this.#seen |= SYN << dir;
        this.#note(dir, LETTER_BIT.s);
        if (dir === 0) this.#isn ??= tcp.seq;
      }
      stream.start((tcp.seq + 1) >>> 0);
    }
    if (f & TCP_FLAGS.RST) {
      this.#seen |= RST << dir;
      this.#note(dir, LETTER_BIT.r);
    }
    let change = 0;
    const length = end - start;
    if (length > 0) {
      this.#note(dir, LETTER_BIT.d);
      const before = stream.bufferedBytes;
      this.#deliver(dir, stream.push(tcp.seq, bytes, start, end), (f & TCP_FLAGS.FIN) !== 0);
      change = stream.bufferedBytes - before;
    } else if ((f & (TCP_FLAGS.SYN | TCP_FLAGS.FIN | TCP_FLAGS.RST)) === 0 && f & TCP_FLAGS.ACK) {
      this.#note(dir, LETTER_BIT.a);
    }
    if (f & TCP_FLAGS.FIN) {
      this.#seen |= FIN << dir;
      this.#note(dir, LETTER_BIT.f);
      // A FIN without data ends a body read to the close.
      if (length === 0) this.#http.fin(dir, timeMs, this, this.#sink);
    }
    // What this side acknowledged of the other's bytes: a hole it received is given up.
    if (f & TCP_FLAGS.ACK) {
      const other = dir === 0 ? this.#stream1 : this.#stream0;
      const held = other.bufferedBytes;
      if (held === 0) other.noteAck(tcp.ack);
      else {
        this.#deliver(dir === 0 ? 1 : 0, other.acked(tcp.ack), false);
        change += other.bufferedBytes - held;
      }
    }
    return change;
  }

  /** End it: what is held is delivered over its gaps, requests still waiting are reported; returns the bytes let go. */
  close(): number {
    if (this.#closed) return 0;
    this.#closed = true;
    const held = this.buffered;
    this.#deliver(0, this.#stream0.flush(), false);
    this.#deliver(1, this.#stream1.flush(), false);
    this.#http.end(this.last, this, this.#sink);
    this.#sink.closed(this);
    this.#table = null;
    return held;
  }

  evidence(): FlowEvidence {
    const uid = this.uid;
    const conn: ConnRecord = { uid, ...this.connFacts() };
    const http = this.transactions.map((t, i) => t.record(uid, i + 1));
    return { conn, http, dns: this.dns, packets: this.#table, capture: this.capture };
  }

  connFacts(): ConnFacts {
    return {
      ts: this.start / 1000,
      'id.orig_h': this.originator.ip,
      'id.orig_p': this.originator.port,
      'id.resp_h': this.responder.ip,
      'id.resp_p': this.responder.port,
      proto: 'tcp',
      ...(this.#http.seen ? { service: 'http' } : {}),
      duration: (this.last - this.start) / 1000,
      orig_bytes: this.#bytes0,
      resp_bytes: this.#bytes1,
      conn_state: connState({
        origSyn: this.#has(SYN, 0),
        respSynAck: this.#synAck,
        origFin: this.#has(FIN, 0),
        respFin: this.#has(FIN, 1),
        origRst: this.#has(RST, 0),
        respRst: this.#has(RST, 1),
        origData: this.#bytes0 > 0,
        respData: this.#bytes1 > 0,
      }),
      missed_bytes: this.#missed,
      history: this.#historyText(),
      orig_pkts: this.#pkts0,
      orig_ip_bytes: this.#ipBytes0,
      resp_pkts: this.#pkts1,
      resp_ip_bytes: this.#ipBytes1,
    };
  }

  get dns(): readonly DnsRecord[] {
    return this.dnsLookup?.leadingTo(this.originator.ip, this.responder.ip) ?? [];
  }

  /** Both sides sent a FIN. */
  get finished(): boolean {
    return (this.#seen & (FIN | (FIN << 1))) === (FIN | (FIN << 1));
  }

  /** Either side sent a RST. */
  get reset(): boolean {
    return (this.#seen & (RST | (RST << 1))) !== 0;
  }

  #has(flag: number, dir: 0 | 1): boolean {
    return (this.#seen & (flag << dir)) !== 0;
  }

  /** `letterBit`: its LETTER_BIT (a number: a lookup by the letter's text is a keyed load where this is not inlined). */
  #note(dir: 0 | 1, letterBit: number): void {
    const bit = dir === 0 ? letterBit << 6 : letterBit;
    if ((this.#noted & bit) !== 0) return;
    this.#noted |= bit;
    // Its text is made only for a connection that is reported (connFacts).
    const code = 31 - Math.clz32(bit) + 1;
    const n = this.#letters++;
    if (n < CODES_PER_NUMBER) this.#order |= code << (4 * n);
    else this.#order2 |= code << (4 * (n - CODES_PER_NUMBER));
  }

  /** Zeek's history string, from the letters in the order they were noted. */
  #historyText(): string {
    let text = this.#flipped ? '^' : '';
    for (let i = 0; i < this.#letters; i++) {
      const codes = i < CODES_PER_NUMBER ? this.#order : this.#order2;
      const at = i < CODES_PER_NUMBER ? i : i - CODES_PER_NUMBER;
      text += LETTER_TEXT[((codes >>> (4 * at)) & 15) - 1];
    }
    return text;
  }

  /**
   * A delivery, read as runs of contiguous bytes (a filled hole releases several held segments
   * at once; a run is split only where a gap was given up): each run framed as HTTP, then read
   * by the protocol analyzers, which name the frame from what it completed. `fin`: the frame
   * that released it carried a FIN of this direction.
   */
  #deliver(dir: 0 | 1, d: Delivery, fin: boolean): void {
    this.#missed += d.missed;
    const { gaps, count } = d;
    if (count === 0) return;
    // HTTP clients speak first: a server that greets before its client has said anything
    // speaks SMTP, FTP, POP3, IMAP or SSH, and its client's commands are no HTTP requests.
    // Only where the handshake was seen: picked up mid-stream, who spoke first is unknown.
    if (dir === 1 && this.#has(SYN, 0) && this.#bytes0 === 0) this.#http.abandon();
    let from = 0;
    for (let i = 1; i <= count; i++) {
      if (i < count && gaps[i] === 0) continue;
      const gap = gaps[from] as number;
      if (gap > 0) this.#http.skip(dir, gap);
      if (i - from === 1)
        this.#run(dir, d.bytes[from] as Uint8Array, d.starts[from] as number, d.ends[from] as number, fin);
      else {
        const run = joined(d, from, i);
        this.#run(dir, run, 0, run.length, fin);
      }
      from = i;
    }
  }

  /** A run of contiguous bytes, `bytes[start, end)`: framed as HTTP in place; a view is made only for a reader. */
  #run(dir: 0 | 1, bytes: Uint8Array, start: number, end: number, fin: boolean): void {
    if (dir === 0) this.#bytes0 += end - start;
    else this.#bytes1 += end - start;
    this.#http.bytes(dir, bytes, start, end, fin, this.last, this, this.#sink);
    if (this.reader !== null)
      this.reader.chunk(dir, start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  }
}

/** Chunks [from, to) of a delivery as one run of bytes of its own (a filled hole released several). */
function joined(d: Delivery, from: number, to: number): Uint8Array {
  let length = 0;
  for (let i = from; i < to; i++) length += (d.ends[i] as number) - (d.starts[i] as number);
  const run = new Uint8Array(length);
  let at = 0;
  for (let i = from; i < to; i++) {
    const b = d.bytes[i] as Uint8Array;
    run.set(b.subarray(d.starts[i], d.ends[i]), at);
    at += (d.ends[i] as number) - (d.starts[i] as number);
  }
  return run;
}
