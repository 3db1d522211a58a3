/**
 * A tokenized log format as a plan — "expect this literal", "read a field up to the next
 * literal" — and the plan run left to right over a line. Each step only moves forward, so a
 * line costs time linear in its length whatever it contains (no backtracking regex over
 * attacker text).
 */
import { readDecimal } from './clfLine.js';
import type { FieldKind, Step } from './logFormatSpec.js';
import { LogFormatError, type LogRecord } from './record.js';
import { parseAnyTime, parseClfTime, parseClfTimeAt } from './time.js';
import { unescapeLogged } from './unescape.js';

interface PlannedField {
  readonly field: FieldKind;
  /** The literal that must follow the field, or null when the field runs to the end of the line. */
  readonly until: string | null;
  /** Quoted between `"`…`"`: a backslash escapes the next character while looking for the end. */
  readonly quoted: boolean;
}

export type Planned = { kind: 'literal'; text: string } | ({ kind: 'field' } & PlannedField);

export function planSteps(steps: readonly Step[]): Planned[] {
  const out: Planned[] = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as Step;
    if (s.kind === 'literal') {
      out.push(s);
      continue;
    }
    const prev = steps[i - 1];
    let next = steps[i + 1];
    // `%U%q`: the query (with its `?`) directly follows the path; read both as one target.
    if (s.field.to === 'path' && next?.kind === 'field' && next.field.to === 'query') {
      i++;
      next = steps[i + 1];
    }
    if (next?.kind === 'field') {
      throw new LogFormatError('two fields with no text between them cannot be told apart');
    }
    const until = next?.kind === 'literal' ? next.text : null;
    const quoted = prev?.kind === 'literal' && prev.text.endsWith('"') && until?.startsWith('"') === true;
    out.push({ kind: 'field', field: s.field, until, quoted });
  }
  return out;
}

interface Scratch {
  client: string;
  clientFromA: boolean;
  time: number | null;
  request: string | null;
  method: string;
  path: string;
  query: string;
  protocol: string;
  status: number | null;
  bytes: number | null;
  headers: Array<[string, string]>;
  vhost: string | null;
  port: number | null;
}

export function runPlan(plan: readonly Planned[], line: string): LogRecord | null {
  const end = line.endsWith('\r') ? line.length - 1 : line.length;
  const r: Scratch = {
    client: '',
    clientFromA: false,
    time: null,
    request: null,
    method: '',
    path: '',
    query: '',
    protocol: '',
    status: null,
    bytes: null,
    headers: [],
    vhost: null,
    port: null,
  };
  let pos = 0;
  for (let i = 0; i < plan.length; i++) {
    const step = plan[i] as Planned;
    if (step.kind === 'literal') {
      const text = step.text;
      if (text.length === 1 ? line.charCodeAt(pos) !== text.charCodeAt(0) : !line.startsWith(text, pos)) return null;
      pos += text.length;
      continue;
    }
    let stop: number;
    if (step.field.to === 'time' && step.field.style === 'clf-bracketed') {
      if (line.charCodeAt(pos) !== 91 /* [ */) return null;
      stop = line.indexOf(']', pos);
      if (stop < 0 || stop >= end) return null;
      // Read in place: no substring for the one field every line has.
      const t = parseClfTimeAt(line, pos + 1);
      if (t === null) return null;
      r.time = t;
      pos = stop + 1;
      continue;
    } else if (step.until === null) {
      stop = end;
    } else if (step.quoted) {
      stop = findQuotedEnd(line, pos, end, step.until);
    } else {
      stop = line.indexOf(step.until, pos);
      if (stop >= end) stop = -1;
    }
    if (stop < 0) return null;
    if (step.field.to !== 'ignore' && !assign(r, step.field, line.slice(pos, stop))) return null;
    pos = stop;
  }
  if (r.client === '') return null;
  return {
    client: r.client,
    time: r.time,
    requestLine: r.request ?? composeRequest(r),
    status: r.status,
    bytes: r.bytes,
    headers: r.headers,
    vhost: r.vhost,
    serverPort: r.port,
  };
}

/**
 * The end of a quoted field: the first `"` not escaped by a backslash that is followed by the
 * rest of the expected literal. Scanning only moves forward, and each candidate costs at most
 * the literal's length, so the whole search is linear.
 */
function findQuotedEnd(line: string, from: number, end: number, until: string): number {
  let i = from;
  while (i < end) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === 34 /* " */ && line.startsWith(until, i)) return i;
    i++;
  }
  return -1;
}

function assign(r: Scratch, field: FieldKind, raw: string): boolean {
  switch (field.to) {
    case 'client':
      if (raw === '' || raw === '-') return false;
      r.client = raw;
      return true;
    case 'time': {
      const t = readTime(field.style, raw);
      if (t === null && field.style !== 'any') return false;
      if (t !== null) r.time = t;
      return true;
    }
    // Text the client sent: `-` for none, the log's escapes undone.
    case 'request':
    case 'path':
    case 'query':
      r[field.to] = raw === '-' ? '' : unescapeLogged(raw);
      return true;
    // Tokens, never escaped.
    case 'method':
    case 'protocol':
      r[field.to] = raw === '-' ? '' : raw;
      return true;
    case 'status':
      r.status = readInt(raw);
      return r.status !== null || raw === '-';
    case 'bytes':
      r.bytes = raw === '-' ? 0 : readInt(raw);
      return r.bytes !== null;
    case 'header':
      if (raw !== '-' && raw !== '') r.headers.push([field.name, unescapeLogged(raw)]);
      return true;
    case 'vhost':
      r.vhost = raw === '-' ? null : raw;
      return true;
    case 'port':
      r.port = readInt(raw);
      return true;
    case 'ignore':
      return true;
  }
}

function readTime(style: Extract<FieldKind, { to: 'time' }>['style'], raw: string): number | null {
  switch (style) {
    case 'clf-bracketed':
    case 'clf':
      return parseClfTime(raw);
    case 'sec':
      return numberOrNull(raw, 1000);
    case 'msec':
      return numberOrNull(raw, 1);
    case 'usec':
      return numberOrNull(raw, 0.001);
    case 'any':
      return parseAnyTime(raw.includes(' ') && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(raw) ? `${raw}Z` : raw);
  }
}

function numberOrNull(raw: string, scale: number): number | null {
  const n = Number(raw);
  return raw === '' || Number.isNaN(n) ? null : Math.round(n * scale);
}

const readInt = (raw: string): number | null => readDecimal(raw, 0, raw.length);

/** Formats that log `%m %U%q %H` instead of `%r`: rebuild the request line from its parts. */
function composeRequest(r: Scratch): string {
  if (r.method === '' && r.path === '') return '';
  const query = r.query === '' ? '' : r.query.startsWith('?') ? r.query : `?${r.query}`;
  return [r.method, `${r.path}${query}`, r.protocol].filter((p) => p !== '').join(' ');
}
