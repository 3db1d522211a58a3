/**
 * Timestamps as access logs write them. Hand-written, fixed-position parsers: a log has one time
 * per line and a regex per line would cost more than the rest of the parse.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Each month's three letters as one number (see monthAt). */
const MONTH_KEYS: readonly number[] = MONTHS.map(
  (m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
);

/** `Jan`…`Dec` as 0…11 from its three letters (exact case, as logs write them), or -1. */
function monthAt(s: string, at: number): number {
  const a = s.charCodeAt(at);
  const b = s.charCodeAt(at + 1);
  const c = s.charCodeAt(at + 2);
  // Read by char codes, the three letters as one number: a substring per line cost more than the rest of the time.
  if ((a | b | c) > 255) return -1;
  return MONTH_KEYS.indexOf((a << 16) | (b << 8) | c);
}

/** Apache/nginx `%t`: `10/Oct/2000:13:55:36 -0700` (brackets optional). Null when it is not. */
export function parseClfTime(text: string): number | null {
  let s = text;
  if (s.startsWith('[')) s = s.slice(1, s.endsWith(']') ? -1 : undefined);
  return parseClfTimeAt(s, 0);
}

/**
 * The last minute read (`dd/Mon/yyyy:HH:MM:` and its ` +zzzz` zone) and its time: a log's lines
 * come in time order, so most share their minute with the line before and only the seconds
 * need reading. Module state, so one per thread.
 */
let lastMinute = '';
let lastZone = '';
let lastMinuteMs = 0;

/** `parseClfTime` reading `s` from `at`, without cutting it out first (the hot path). */
export function parseClfTimeAt(s: string, at: number): number | null {
  // `dd/Mon/yyyy:HH:MM:` is 18 characters, then `SS`, then ` +zzzz`.
  if (lastMinute !== '' && s.startsWith(lastMinute, at) && s.startsWith(lastZone, at + 20)) {
    const second = num(s, at + 18, 2);
    if (second >= 0) return lastMinuteMs + second * 1000;
  }
  const t = readClfTime(s, at);
  // Remembered only for the plain layout (no fractional seconds), whose time those 26 characters fix.
  if (t !== null && s.charCodeAt(at + 20) === 32) {
    lastMinute = s.slice(at, at + 18);
    lastZone = s.slice(at + 20, at + 26);
    lastMinuteMs = t - num(s, at + 18, 2) * 1000;
  }
  return t;
}

function readClfTime(s: string, at: number): number | null {
  // dd/Mon/yyyy:HH:MM:SS +zzzz — fractional seconds after SS are allowed (%{%d/%b/%Y:%T}t.%{msec_frac}t).
  if (
    s.length - at < 20 ||
    s.charCodeAt(at + 2) !== 47 /* / */ ||
    s.charCodeAt(at + 6) !== 47 ||
    s.charCodeAt(at + 11) !== 58 /* : */
  )
    return null;
  const day = num(s, at, 2);
  const month = monthAt(s, at + 3);
  const year = num(s, at + 7, 4);
  const hour = num(s, at + 12, 2);
  const minute = num(s, at + 15, 2);
  const second = num(s, at + 18, 2);
  if (day < 0 || month < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) return null;
  let i = at + 20;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    let j = i + 1;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
    ms = Math.round(Number(`0${s.slice(i, j)}`) * 1000);
    i = j;
  }
  let offsetMinutes = 0;
  if (s.charCodeAt(i) === 32 /* space */) {
    const signChar = s.charCodeAt(i + 1);
    const sign = signChar === 45 /* - */ ? -1 : signChar === 43 /* + */ ? 1 : 0;
    const hh = num(s, i + 2, 2);
    const mm = num(s, i + 4, 2);
    if (sign === 0 || hh < 0 || mm < 0) return null;
    offsetMinutes = sign * (hh * 60 + mm);
  }
  return Date.UTC(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

/** ISO 8601 (`2021-12-08T14:02:43.46Z`, `$time_iso8601`), epoch seconds or ms, or CLF. */
export function parseAnyTime(text: string): number | null {
  if (text === '' || text === '-') return null;
  const c0 = text.charCodeAt(0);
  if (isDigit(c0) && text.length >= 10 && text[4] === '-') {
    const t = Date.parse(text);
    return Number.isNaN(t) ? null : t;
  }
  if (isDigit(c0) && /^\d{9,13}(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  return parseClfTime(text);
}

function num(s: string, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
