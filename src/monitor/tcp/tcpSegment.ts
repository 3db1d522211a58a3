import type { Reader } from '../evidence/packetRecord.js';
import type { ProtocolEvent } from '../protocols/events.js';
import type { Reading } from '../protocols/reading.js';
import type { Conversation } from './conversation.js';
import type { SegmentAnalysis } from './sequenceAnalysis.js';

export type { Reader } from '../evidence/packetRecord.js';

/**
 * 0 stored as a double (-0 is no small integer): the fields that take sequence numbers start in
 * the representation those numbers need (above 2^30 they are no small integers), so the first
 * segment that is analysed does not change the segment's shape — where only some conversations
 * are analysed (detection alone), that first came mid-capture and threw away the optimized code
 * of the table's every reader of the segment. Read as 0 everywhere (printed, compared, added).
 */
const SEQUENCE_ZERO = -0;

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
  relSeq = SEQUENCE_ZERO;
  relAck = SEQUENCE_ZERO;
  window = 0;
  dupAckNum = 0;
  dupAckFrame = 0;
  /** The base sequence number of the other direction (SACK edges are shown relative to it). */
  reverseBase = SEQUENCE_ZERO;
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
