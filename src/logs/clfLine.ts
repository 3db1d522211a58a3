import type { LineParser, LogRecord, PlainLineReader } from './record.js';
import { parseClfTimeAt } from './time.js';

/**
 * Apache's `common` and `combined` lines — most of the access logs there are — read by
 * hand-placed `indexOf` scans instead of walking a compiled plan (a native scan costs a tenth
 * of a character-by-character loop). Each reader gives exactly what the compiled plan of the
 * same format gives (test/logs/clfLine.test.ts holds them to it), leniencies included: text
 * after the last field is ignored, a field may hold anything up to its closing literal. A line
 * with a backslash anywhere has escapes to honour while looking for closing quotes: it goes to
 * the compiled plan (`escaped`), which scans character by character.
 */
export function clfReader(shape: 'common' | 'combined', escaped: LineParser): LineParser {
  const combined = shape === 'combined';
  return (line) => (line.indexOf('\\') >= 0 ? escaped(line) : parseClf(line, combined));
}

const SPACE = 32;
const QUOTE = 34;
const OPEN_BRACKET = 91;

/** Where a CLF line's fields lie, filled in place by `readClf`. */
class ClfFields {
  clientEnd = 0;
  time = 0;
  requestFrom = 0;
  requestTo = 0;
  status: number | null = null;
  bytes = 0;
  /** -1 when the format has no such field. */
  refererFrom = -1;
  refererTo = -1;
  agentFrom = -1;
  agentTo = -1;
}

/** One per thread: reading is synchronous. */
const FIELDS = new ClfFields();

function parseClf(line: string, combined: boolean): LogRecord | null {
  const f = FIELDS;
  if (!readClf(line, combined, f)) return null;
  const rawRequest = line.slice(f.requestFrom, f.requestTo);
  const headers: Array<[string, string]> = [];
  if (combined) {
    addHeader(headers, 'referer', line, f.refererFrom, f.refererTo);
    addHeader(headers, 'user-agent', line, f.agentFrom, f.agentTo);
  }
  return {
    client: line.slice(0, f.clientEnd),
    time: f.time,
    requestLine: rawRequest === '-' ? '' : rawRequest,
    status: f.status,
    bytes: f.bytes,
    headers,
    vhost: null,
    serverPort: null,
  };
}

/**
 * A line's request and status for the gate that runs before parsing (../detect/plainLine.ts),
 * read from exactly the lines `clfReader` reads by hand, at the same places: false for any
 * other line (it then goes through the parser).
 */
export function clfPlainLine(shape: 'common' | 'combined'): PlainLineReader {
  const combined = shape === 'combined';
  return (line, plain) => {
    const f = FIELDS;
    if (line.indexOf('\\') >= 0 || !readClf(line, combined, f)) return false;
    plain.text = line;
    plain.lineFrom = f.requestFrom;
    plain.lineTo = f.requestTo;
    plain.peerFrom = 0;
    plain.peerTo = f.clientEnd;
    plain.status = f.status;
    plain.headerCount = 0;
    if (combined) {
      if (logged(line, f.refererFrom, f.refererTo)) plain.addHeader('referer', f.refererFrom, f.refererTo);
      if (logged(line, f.agentFrom, f.agentTo)) plain.addHeader('user-agent', f.agentFrom, f.agentTo);
    }
    return true;
  };
}

/** Reads a CLF line's fields into `f` as it goes; false when the line does not fit (then `f` is not to be read). */
function readClf(line: string, combined: boolean, f: ClfFields): boolean {
  const end = line.charCodeAt(line.length - 1) === 13 /* \r */ ? line.length - 1 : line.length;
  // %h %l %u: three space-ended fields.
  const afterHost = line.indexOf(' ');
  if (afterHost <= 0 || afterHost >= end) return false;
  if (afterHost === 1 && line.charCodeAt(0) === 45 /* - */) return false;
  f.clientEnd = afterHost;
  const afterIdent = endOf(line, ' ', afterHost + 1, end);
  if (afterIdent < 0) return false;
  const afterUser = endOf(line, ' ', afterIdent + 1, end);
  if (afterUser < 0) return false;
  // %t: `[dd/Mon/yyyy:HH:MM:SS +zzzz]`, read in place.
  let pos = afterUser + 1;
  if (line.charCodeAt(pos) !== OPEN_BRACKET) return false;
  const closeBracket = endOf(line, ']', pos, end);
  if (closeBracket < 0) return false;
  const time = parseClfTimeAt(line, pos + 1);
  if (time === null) return false;
  f.time = time;
  pos = closeBracket + 1;
  // ` "%r" ` — no backslash on this line, so the first `" ` closes it.
  if (line.charCodeAt(pos) !== SPACE || line.charCodeAt(pos + 1) !== QUOTE) return false;
  pos += 2;
  const requestEnd = endOf(line, '" ', pos, end);
  if (requestEnd < 0) return false;
  f.requestFrom = pos;
  f.requestTo = requestEnd;
  pos = requestEnd + 2;
  // %>s then a space.
  const statusEnd = endOf(line, ' ', pos, end);
  if (statusEnd < 0) return false;
  const status = readDecimal(line, pos, statusEnd);
  if (status === null && !isDash(line, pos, statusEnd)) return false;
  f.status = status;
  pos = statusEnd + 1;
  // %b: to the end of a common line; up to ` "` in a combined one.
  let bytesEnd = end;
  if (combined) {
    bytesEnd = endOf(line, ' "', pos, end);
    if (bytesEnd < 0) return false;
  }
  const bytes = isDash(line, pos, bytesEnd) ? 0 : readDecimal(line, pos, bytesEnd);
  if (bytes === null) return false;
  f.bytes = bytes;
  if (combined) {
    // ` "%{Referer}i" "%{User-agent}i"`
    pos = bytesEnd + 2;
    const refererEnd = endOf(line, '" "', pos, end);
    if (refererEnd < 0) return false;
    f.refererFrom = pos;
    f.refererTo = refererEnd;
    pos = refererEnd + 3;
    const agentEnd = endOf(line, '"', pos, end);
    if (agentEnd < 0) return false;
    f.agentFrom = pos;
    f.agentTo = agentEnd;
  }
  return true;
}

/** Where `delimiter` first stands in `line` from `from`, or -1 if not before `end`. */
function endOf(line: string, delimiter: string, from: number, end: number): number {
  const at = line.indexOf(delimiter, from);
  return at < end ? at : -1;
}

/** Whether a header field holds a value (not empty, not `-`). */
function logged(line: string, from: number, to: number): boolean {
  return to > from && !isDash(line, from, to);
}

function addHeader(headers: Array<[string, string]>, name: string, line: string, from: number, to: number): void {
  if (logged(line, from, to)) headers.push([name, line.slice(from, to)]);
}

function isDash(line: string, from: number, to: number): boolean {
  return to === from + 1 && line.charCodeAt(from) === 45; /* - */
}

/** Decimal digits between `from` and `to` (at most 15), or null: numbers as every log format writes them. */
export function readDecimal(line: string, from: number, to: number): number | null {
  if (to === from || to - from > 15) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return n;
}
