import type { SecurityEvent } from './securityEvent.js';

/**
 * A log event's JSON made before its place is known (on a worker thread, which cannot count the
 * line's occurrence or number): written out around the two values only the reading thread
 * knows, `event.id` and `bansho.origin`, so that thread joins the pieces with them and neither
 * parses the event nor writes it out again.
 */
export interface UnplacedJson {
  /** Up to `event.id`'s value. */
  readonly head: string;
  /** From after the id up to `bansho.origin`'s value. */
  readonly middle: string;
}

/** Where a log-sourced event sits: its id and the file and line it came from. */
export interface EventPlace {
  readonly id: string;
  readonly origin: { readonly file: string; readonly line: number };
}

/** Where the id goes in an event made with an empty id (the message before it is a JSON string, in which `"` is always escaped). */
const EMPTY_ID = ',"event":{"id":""';

/**
 * `event` (as toEvent makes it: `event.id` first in its block, `bansho` last with `origin` last
 * in it; whatever id and origin it has are left out) written out in pieces. Made with an empty
 * id and no origin (as a worker makes it: `threatEvent` without a place), it is written out
 * once and cut; otherwise it is written out around the two.
 */
export function unplacedJson(event: SecurityEvent): UnplacedJson {
  if (event.event.id === '' && event.bansho.origin === undefined && lastKey(event) === 'bansho') {
    const text = JSON.stringify(event);
    const at = text.indexOf(EMPTY_ID);
    if (at >= 0) {
      const idAt = at + EMPTY_ID.length - 2;
      // Without its last two braces (bansho's and the event's), origin is appended to bansho.
      return { head: text.slice(0, idAt), middle: `${text.slice(idAt + 2, -2)},"origin":` };
    }
  }
  const { '@timestamp': timestamp, message, event: header, bansho, ...facts } = event;
  const { id: _id, ...headerRest } = header;
  const { origin: _origin, ...banshoRest } = bansho;
  return {
    head: `{"@timestamp":${JSON.stringify(timestamp)},"message":${JSON.stringify(message)},"event":{"id":`,
    middle: `,${inner(headerRest)}},${inner(facts)},"bansho":{${inner(banshoRest)},"origin":`,
  };
}

/** `JSON.stringify` of the event once placed. */
export function placedJson(unplaced: UnplacedJson, place: EventPlace): string {
  return `${unplaced.head}${JSON.stringify(place.id)}${unplaced.middle}${JSON.stringify(place.origin)}}}`;
}

function lastKey(o: object): string | undefined {
  let last: string | undefined;
  for (const k in o) last = k;
  return last;
}

/** An object's members as JSON, without its braces. */
function inner(o: object): string {
  return JSON.stringify(o).slice(1, -1);
}
