import type { Endpoint } from '../../observe/observation.js';
import type { ProtocolEvent } from '../protocols/events.js';
import { readApplication, type SentBy } from './application.js';
import type { Connection, StreamReader } from './connection.js';
import type { Conversation } from './conversation.js';
import type { ServiceContext } from './service.js';
import { TcpSegment } from './tcpSegment.js';

/**
 * The frame the table is reading: the segment that the events of bytes it completes go to.
 * Bytes delivered outside a frame's reading (a connection closed over its gaps, by another
 * frame, an idle sweep or the end of the input) are read into a segment of their own, which
 * nothing shows.
 */
export class FrameInHand {
  seg: TcpSegment | null = null;
  /** The frame's TCP flags (its FIN ends a body read to the close). */
  flags = 0;
  readonly #aside = new TcpSegment();

  /** The segment for bytes of `conv`: the frame's when it is the conversation's, else one set aside. */
  segmentFor(conv: Conversation, dir: 0 | 1): TcpSegment {
    const seg = this.seg;
    if (seg !== null && seg.conversation === conv) return seg;
    const aside = this.#aside;
    aside.reset();
    aside.conversation = conv;
    aside.dir = dir;
    return aside;
  }
}

/** Where the events of a connection's bytes go besides the frame's segment: the detectors. */
export interface StreamEventsSink {
  /** `events` from `start` on were read off the bytes `from` sent `to`, at `offset` in that stream. */
  read(
    from: Endpoint,
    to: Endpoint,
    events: readonly ProtocolEvent[],
    start: number,
    offset: number,
    timeMs: number,
  ): void;
}

/**
 * The protocol analyzers' reading of one connection: its in-order bytes, per direction, as the
 * one reassembly delivers them (./connection.ts), handed to ./application.ts right after the
 * connection's HTTP framer read them, so HTTP is named from the messages they completed.
 */
export class ConnectionReader implements StreamReader {
  readonly #conv: Conversation;
  readonly #conn: Connection;
  readonly #frame: FrameInHand;
  readonly #context: ServiceContext;
  readonly #sink: StreamEventsSink | null;
  /** Bytes read so far, per direction of the connection. */
  readonly #offset: [number, number] = [0, 0];
  /** Per direction of the connection: its ports, and the FIN of the frame in hand. */
  readonly #sent: [{ -readonly [K in keyof SentBy]: SentBy[K] }, { -readonly [K in keyof SentBy]: SentBy[K] }];

  constructor(
    conv: Conversation,
    conn: Connection,
    frame: FrameInHand,
    context: ServiceContext,
    sink: StreamEventsSink | null,
  ) {
    this.#conv = conv;
    this.#sink = sink;
    this.#conn = conn;
    this.#frame = frame;
    this.#context = context;
    const o = conn.originator.port;
    const r = conn.responder.port;
    this.#sent = [
      { sourcePort: o, destinationPort: r, flags: 0 },
      { sourcePort: r, destinationPort: o, flags: 0 },
    ];
  }

  chunk(dir: 0 | 1, chunk: Uint8Array): void {
    const conv = this.#conv;
    const from = dir === 0 ? this.#conn.originator : this.#conn.responder;
    const convDir = conv.directionOf(from.ip, from.port);
    const seg = this.#frame.segmentFor(conv, convDir);
    const own = seg === this.#frame.seg && seg.dir === convDir;
    const savedDir = seg.dir;
    seg.dir = convDir;
    const sent = this.#sent[dir];
    sent.flags = own ? this.#frame.flags : 0;
    const { reading, reader, toServer } = seg;
    const start = seg.events.length;
    readApplication(conv, this.#conn, seg, sent, chunk, this.#context);
    const offset = this.#offset[dir];
    this.#offset[dir] = offset + chunk.length;
    if (this.#sink !== null && seg.events.length > start) {
      const to = dir === 0 ? this.#conn.responder : this.#conn.originator;
      this.#sink.read(from, to, seg.events, start, offset, this.#conn.last);
    }
    if (!own) {
      // Bytes of the other direction, released by this frame's acknowledgement: their events
      // go to the detectors, but the frame's line is its own direction's.
      seg.reading = reading;
      seg.reader = reader;
      seg.toServer = toServer;
    } else if (seg.reading === null) {
      // Several chunks in one frame (a hole filled): what any of them completed is shown.
      seg.reading = reading;
    }
    seg.dir = savedDir;
  }
}
