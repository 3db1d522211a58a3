import type { Reader } from '../evidence/packetRecord.js';
import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import type { Conversation } from './conversation.js';
import type { SegmentAnalysis } from './sequenceAnalysis.js';

export type { Reader } from '../evidence/packetRecord.js';

/**
 * 0 stored as a double (-0 is no small integer): the other direction's base is a raw sequence
 * number, above 2^30 (no small integer) for most, so it starts in the representation it needs and
 * the first segment that is analysed does not change the segment's shape. Where only some
 * conversations are analysed (detection alone) that first came mid-capture and threw away the
 * optimized code of the table's every reader of the segment. The relative numbers stay small
 * integers: started as doubles too, they cost the packet log's run 2.7 % more instructions.
 * Read as 0 everywhere.
 */
const BASE_ZERO = -0;

/**
 * One TCP segment as the conversation table read it: tshark's sequence analysis and the
 * application's reading, with the events the analyzers emitted. One object per table, filled
 * anew for every segment: read it before the next.
 */
export class TcpSegment implements SegmentAnalysis {
  /** The conversation it belongs to (set by every read before anything looks at it). */
  conversation!: Conversation;
  /** Direction within the conversation: 0 from the endpoint that opened it. */
  dir: 0 | 1 = 0;
  flags = 0;
  relSeq = 0;
  relAck = 0;
  window = 0;
  dupAckNum = 0;
  dupAckFrame = 0;
  /** The base sequence number of the other direction (SACK edges are shown relative to it). */
  reverseBase = BASE_ZERO;
  reader: Reader = 'none';
  reading: Reading = null;
  /** Sent toward the reading service's port (PostgreSQL marks `>`), as the service sees it. */
  toServer = false;
  readonly events: ProtocolEvent[] = [];

  reset(): void {
    this.flags = 0;
    this.reader = 'none';
    this.reading = null;
    this.toServer = false;
    // Setting an array's length costs a call even when it changes nothing.
    if (this.events.length !== 0) this.events.length = 0;
  }
}
