import type { LineParser, LogRecord } from './record.js';
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

function parseClf(line: string, combined: boolean): LogRecord | null {
  const end = line.charCodeAt(line.length - 1) === 13 /* \r */ ? line.length - 1 : line.length;
  // %h %l %u: three space-ended fields.
  const afterHost = line.indexOf(' ');
  if (afterHost <= 0 || afterHost >= end) return null;
  const client = line.slice(0, afterHost);
  if (client === '-') return null;
  const afterIdent = line.indexOf(' ', afterHost + 1);
  if (afterIdent < 0 || afterIdent >= end) return null;
  const afterUser = line.indexOf(' ', afterIdent + 1);
  if (afterUser < 0 || afterUser >= end) return null;
  // %t: `[dd/Mon/yyyy:HH:MM:SS +zzzz]`, read in place.
  let pos = afterUser + 1;
  if (line.charCodeAt(pos) !== OPEN_BRACKET) return null;
  const closeBracket = line.indexOf(']', pos);
  if (closeBracket < 0 || closeBracket >= end) return null;
  const time = parseClfTimeAt(line, pos + 1);
  if (time === null) return null;
  pos = closeBracket + 1;
  // ` "%r" ` — no backslash on this line, so the first `" ` closes it.
  if (line.charCodeAt(pos) !== SPACE || line.charCodeAt(pos + 1) !== QUOTE) return null;
  pos += 2;
  const requestEnd = line.indexOf('" ', pos);
  if (requestEnd < 0 || requestEnd >= end) return null;
  const rawRequest = line.slice(pos, requestEnd);
  pos = requestEnd + 2;
  // %>s then a space.
  const statusEnd = line.indexOf(' ', pos);
  if (statusEnd < 0 || statusEnd >= end) return null;
  const status = readInt(line, pos, statusEnd);
  if (status === null && !isDash(line, pos, statusEnd)) return null;
  pos = statusEnd + 1;
  // %b: to the end of a common line; up to ` "` in a combined one.
  let bytesEnd = end;
  if (combined) {
    bytesEnd = line.indexOf(' "', pos);
    if (bytesEnd < 0 || bytesEnd >= end) return null;
  }
  const bytes = isDash(line, pos, bytesEnd) ? 0 : readInt(line, pos, bytesEnd);
  if (bytes === null) return null;
  const headers: Array<[string, string]> = [];
  if (combined) {
    // ` "%{Referer}i" "%{User-agent}i"`
    pos = bytesEnd + 2;
    const refererEnd = line.indexOf('" "', pos);
    if (refererEnd < 0 || refererEnd >= end) return null;
    addHeader(headers, 'referer', line, pos, refererEnd);
    pos = refererEnd + 3;
    const agentEnd = line.indexOf('"', pos);
    if (agentEnd < 0 || agentEnd >= end) return null;
    addHeader(headers, 'user-agent', line, pos, agentEnd);
  }
  return {
    client,
    time,
    requestLine: rawRequest === '-' ? '' : rawRequest,
    status,
    bytes,
    headers,
    vhost: null,
    serverPort: null,
  };
}

function addHeader(headers: Array<[string, string]>, name: string, line: string, from: number, to: number): void {
  if (to === from || isDash(line, from, to)) return;
  headers.push([name, line.slice(from, to)]);
}

function isDash(line: string, from: number, to: number): boolean {
  return to === from + 1 && line.charCodeAt(from) === 45; /* - */
}

/** Decimal digits between `from` and `to`, as the compiled plan's `readInt` reads them. */
function readInt(line: string, from: number, to: number): number | null {
  if (to === from || to - from > 15) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return n;
}
