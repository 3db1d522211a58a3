/**
 * Access logs that went through syslog (nginx's `access_log syslog:server=…`, rsyslog or
 * journald collecting a server's output) carry a header before the line the server wrote:
 *
 *   <190>Sep 15 16:13:46 web1 nginx[2869]: 81.150.104.130 - - [15/Sep/2021:16:13:46 +0000] "POST …
 *   2021-09-15T16:13:46.123456+00:00 web1 nginx: 81.150.104.130 - - […
 *   <190>1 2021-09-15T16:13:46Z web1 nginx 2869 - - 81.150.104.130 - - […
 *
 * `syslogMessageStart` finds where the server's own line starts, so any access-log format can
 * read it. A hand-written scanner: this runs on attacker-influenced text, once per line.
 */

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The index after `<PRI>` (1–3 digits), or `at` when there is none; -1 when malformed. */
function skipPriority(line: string, at: number): number {
  if (line.charCodeAt(at) !== 60) return at;
  let i = at + 1;
  while (i < line.length && i - at <= 3 && isDigit(line.charCodeAt(i))) i++;
  return i > at + 1 && line.charCodeAt(i) === 62 ? i + 1 : -1;
}

/** The index after a BSD timestamp `Mmm dd HH:MM:SS` (day space-padded), or -1. */
function skipBsdTime(line: string, at: number): number {
  if (!MONTHS.has(line.slice(at, at + 3)) || line.charCodeAt(at + 3) !== 32) return -1;
  let i = at + 4;
  if (line.charCodeAt(i) === 32) i++;
  const dayStart = i;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  if (i === dayStart || i - dayStart > 2 || line.charCodeAt(i) !== 32) return -1;
  return isClock(line, i + 1) ? i + 9 : -1;
}

/** `HH:MM:SS` at `at`. */
function isClock(line: string, at: number): boolean {
  for (let k = 0; k < 8; k++) {
    const c = line.charCodeAt(at + k);
    if (k === 2 || k === 5 ? c !== 58 : !isDigit(c)) return false;
  }
  return true;
}

/** The index after an RFC 3339 timestamp `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, or -1. */
function skipIsoTime(line: string, at: number): number {
  for (let k = 0; k < 10; k++) {
    const c = line.charCodeAt(at + k);
    if (k === 4 || k === 7 ? c !== 45 : !isDigit(c)) return -1;
  }
  if (line.charCodeAt(at + 10) !== 84 || !isClock(line, at + 11)) return -1;
  const space = line.indexOf(' ', at + 19);
  // Fraction and zone: at most `.123456789+00:00`.
  return space > 0 && space - (at + 19) <= 16 ? space : -1;
}

/** The index after a non-empty run of characters other than space, ending at a space; -1 otherwise. */
function skipToken(line: string, at: number, max: number): number {
  const space = line.indexOf(' ', at);
  return space > at && space - at <= max ? space : -1;
}

/**
 * Where the message starts after a syslog header (priority, timestamp, host, `tag[pid]: `), or
 * -1 when the line does not start with one.
 */
export function syslogMessageStart(line: string): number {
  let i = skipPriority(line, 0);
  if (i < 0) return -1;
  // RFC 5424: `<PRI>1 TIME HOST APP PROCID MSGID - MSG` (structured data only as `-`).
  const rfc5424 = i > 0 && line.charCodeAt(i) === 49 && line.charCodeAt(i + 1) === 32;
  if (rfc5424) i += 2;
  const afterTime = isDigit(line.charCodeAt(i)) ? skipIsoTime(line, i) : rfc5424 ? -1 : skipBsdTime(line, i);
  if (afterTime < 0 || line.charCodeAt(afterTime) !== 32) return -1;
  const afterHost = skipToken(line, afterTime + 1, 255);
  if (afterHost < 0) return -1;
  if (rfc5424) {
    let at = afterHost;
    for (let field = 0; field < 3 && at >= 0; field++) at = skipToken(line, at + 1, 128);
    return at >= 0 && line.startsWith('- ', at + 1) ? at + 3 : -1;
  }
  const afterTag = skipToken(line, afterHost + 1, 128);
  // The tag ends with a colon (`nginx:`, `nginx[2869]:`, `apache2[12]:`).
  if (afterTag < 0 || line.charCodeAt(afterTag - 1) !== 58) return -1;
  return afterTag + 1;
}
