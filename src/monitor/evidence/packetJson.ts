import type { ProtocolEvent } from '../protocols/events.js';
import { PART, PART_BEGUN, PDUS, type Reading } from '../protocols/reading.js';
import { ANALYSIS } from '../tcp/sequenceAnalysis.js';
import type { PacketRecord, Reader } from './packetRecord.js';

/**
 * A connection's packet records as the stored event keeps them (`bansho.flow.packets`, JSON
 * text): the record's fields by name, those at their usual value left out, tshark's analysis
 * flags by name (`retransmission`), bytes as `{"base64": …}` and numbers JSON has no word for
 * (a status line without a code) as `{"number": "NaN"}`. Read back by `readPackets`, which
 * refuses what it cannot read rather than render it wrong.
 */

/** ANALYSIS's flags by their stored names: `LOST_PACKET` is `lost_packet`. */
const ANALYSIS_NAMES: ReadonlyArray<readonly [string, number]> = Object.entries(ANALYSIS).map(([k, bit]) => [
  k.toLowerCase(),
  bit,
]);

/** The numbers of a record, and what an absent one stands for (undefined: it must be there). */
const NUMBER_FIELDS: ReadonlyArray<readonly [string, number | undefined]> = [
  ['frame', undefined],
  ['rel_ns', undefined],
  ['len', undefined],
  ['flags', undefined],
  ['seq', undefined],
  ['ack', undefined],
  ['win', undefined],
  ['tcp_len', undefined],
  ['urg', 0],
  ['sack_base', 0],
  ['dup_ack', 0],
  ['dup_ack_frame', 0],
];

const READERS: ReadonlySet<string> = new Set<Reader>(['none', 'http', 'tls', 'ssh', 'pgsql', 'other']);

/** What one stored record's JSON is written from: a record's fields, its options given apart (as hex). */
export type RecordFields = Omit<PacketRecord, 'options'>;

/**
 * One record as JSON, written out field by field: the numbers are whole and finite (a frame's
 * own), so `${n}` is what JSON.stringify would write, without an object made per record to
 * hand it; `optionsHex` is its options' bytes in hex ('' for none). The reading is
 * JSON.stringify's, the events `eventsJson`'s.
 */
export function packetJson(r: RecordFields, optionsHex: string): string {
  let s = `{"frame":${r.frame},"rel_ns":${r.rel_ns},"is_orig":${r.is_orig},"len":${r.len},"flags":${r.flags}`;
  s += `,"seq":${r.seq},"ack":${r.ack},"win":${r.win},"tcp_len":${r.tcp_len}`;
  if (r.urg !== 0) s += `,"urg":${r.urg}`;
  if (optionsHex !== '') s += `,"options":"${optionsHex}","sack_base":${r.sack_base}`;
  if (r.analysis !== 0) s += `,"analysis":${JSON.stringify(analysisNames(r.analysis))}`;
  if ((r.analysis & ANALYSIS.DUPLICATE_ACK) !== 0) s += `,"dup_ack":${r.dup_ack},"dup_ack_frame":${r.dup_ack_frame}`;
  if (r.reader !== 'none') s += `,"reader":"${r.reader}"`;
  if (r.reading !== null) s += `,"reading":${READING_JSON.get(r.reading) ?? JSON.stringify(r.reading)}`;
  if (r.to_server) s += ',"to_server":true';
  if (r.events.length > 0) s += `,"events":${jsonValue(r.events)}`;
  return `${s}}`;
}

/** The JSON of the readings most segments share, written once rather than per record. */
const READING_JSON: ReadonlyMap<Reading, string> = new Map([PDUS, PART, PART_BEGUN].map((r) => [r, JSON.stringify(r)]));

/** Object keys as JSON, written once each: the events' few field names recur in every record. */
const KEY_JSON = new Map<string, string>();
/** Keys kept at most (events are the analyzers' own objects, with a fixed set of fields). */
const MAX_KEYS = 1024;

function keyJson(k: string): string {
  let text = KEY_JSON.get(k);
  if (text === undefined) {
    text = JSON.stringify(k);
    if (KEY_JSON.size >= MAX_KEYS) KEY_JSON.clear();
    KEY_JSON.set(k, text);
  }
  return text;
}

function analysisNames(bits: number): string[] {
  return ANALYSIS_NAMES.filter(([, bit]) => (bits & bit) !== 0).map(([n]) => n);
}

/**
 * Events as JSON, with what JSON has no word for in words of its own: bytes as `{"base64": …}`,
 * a number that is not finite as `{"number": "NaN"}`. Written straight from the values (the
 * events are plain data: strings, numbers, booleans, null, bytes, arrays and objects of them),
 * the same text JSON.stringify gives for a copy with those values replaced, without the copy.
 */
function jsonValue(v: unknown): string | undefined {
  if (v instanceof Uint8Array)
    return `{"base64":"${Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64')}"}`;
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? `${v}` : `{"number":"${v}"}`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      let s = '';
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) s += `${i === 0 ? '' : ','}${jsonValue(v[i]) ?? 'null'}`;
        return `[${s}]`;
      }
      for (const k in v) {
        const text = jsonValue((v as Record<string, unknown>)[k]);
        if (text !== undefined) s += `${s === '' ? '' : ','}${keyJson(k)}:${text}`;
      }
      return `{${s}}`;
    }
    default:
      // Nothing JSON writes (undefined, a function): left out of an object, null in a list.
      return undefined;
  }
}

function decodeValue(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (keys.length !== 1) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.base64 === 'string') return new Uint8Array(Buffer.from(o.base64, 'base64'));
  if (typeof o.number === 'string') return Number(o.number);
  return v;
}

/** The records stored by `packetsJson`; null when the text is no such list (damaged, or from another version). */
export function readPackets(text: string): PacketRecord[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, decodeValue);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const out: PacketRecord[] = [];
  for (const item of parsed) {
    const r = packetFrom(item);
    if (r === null) return null;
    out.push(r);
  }
  return out;
}

function packetFrom(v: unknown): PacketRecord | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const n: Record<string, number> = {};
  for (const [k, fallback] of NUMBER_FIELDS) {
    const x = o[k] ?? fallback;
    if (typeof x !== 'number' || !Number.isFinite(x)) return null;
    n[k] = x;
  }
  const options = o.options === undefined ? '' : o.options;
  const reader = o.reader ?? 'none';
  const names = o.analysis ?? [];
  const events = o.events ?? [];
  const reading = o.reading ?? null;
  if (typeof options !== 'string') return null;
  const optionBytes = Buffer.from(options, 'hex');
  // Buffer stops at the first pair that is no hex: the whole text must have been read.
  if (optionBytes.length * 2 !== options.length) return null;
  if (typeof reader !== 'string' || !READERS.has(reader)) return null;
  if (!Array.isArray(names) || !Array.isArray(events) || !events.every(isEvent)) return null;
  if (reading !== null && !isReading(reading)) return null;
  let analysis = 0;
  for (const name of names) {
    const bit = ANALYSIS_NAMES.find(([stored]) => stored === name);
    if (bit === undefined) return null;
    analysis |= bit[1];
  }
  return {
    frame: n.frame as number,
    rel_ns: n.rel_ns as number,
    is_orig: o.is_orig === true,
    len: n.len as number,
    flags: n.flags as number,
    seq: n.seq as number,
    ack: n.ack as number,
    win: n.win as number,
    tcp_len: n.tcp_len as number,
    urg: n.urg as number,
    options: new Uint8Array(optionBytes),
    sack_base: n.sack_base as number,
    analysis,
    dup_ack: n.dup_ack as number,
    dup_ack_frame: n.dup_ack_frame as number,
    reader: reader as Reader,
    reading: reading as Reading,
    to_server: o.to_server === true,
    events: events as ProtocolEvent[],
  };
}

function isEvent(e: unknown): boolean {
  return e !== null && typeof e === 'object' && typeof (e as { kind?: unknown }).kind === 'string';
}

function isReading(r: unknown): boolean {
  const kind = r !== null && typeof r === 'object' ? (r as { kind?: unknown }).kind : undefined;
  return kind === 'pdus' || kind === 'part';
}
