import { clfReader } from './clfLine.js';
import { type LineParser, LogFormatError, type LogRecord } from './record.js';
import { parseAnyTime, parseClfTime, parseClfTimeAt } from './time.js';
import { unescapeLogged } from './unescape.js';

/**
 * Compile an Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`) or an nginx `log_format`
 * string (`$remote_addr - $remote_user [$time_local] "$request" …`) into a line parser.
 *
 * The compiled parser is a list of steps — "expect this literal", "read a field up to the next
 * literal" — run left to right over the line. Each step only moves forward, so a line costs
 * time linear in its length whatever it contains (no backtracking regex over attacker text).
 */
export function compileLogFormat(spec: string): LineParser {
  const plan = compileLogFormatPlan(spec);
  const shape = HAND_WRITTEN.get(JSON.stringify(tokenize(spec)));
  return shape ? clfReader(shape, plan) : plan;
}

/** `compileLogFormat` without the hand-written readers: always the generic plan. */
export function compileLogFormatPlan(spec: string): LineParser {
  const steps = tokenize(spec);
  if (!steps.some((s) => s.kind === 'field')) throw new LogFormatError(`log format has no fields: ${spec}`);
  const plan = planSteps(steps);
  return (line: string) => runPlan(plan, line);
}

/**
 * Formats with a hand-written reader (./clfLine.ts), by the shape of their tokenized spec — so
 * `%{User-Agent}i` for `%{User-agent}i`, or a `--format` string spelling out `combined`, gets it.
 */
const HAND_WRITTEN = new Map<string, 'common' | 'combined'>([
  [JSON.stringify(tokenize('%h %l %u %t "%r" %>s %b')), 'common'],
  [JSON.stringify(tokenize('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"')), 'combined'],
]);

type Step = { kind: 'literal'; text: string } | { kind: 'field'; field: FieldKind };

/** What a directive contributes to the record. */
type FieldKind =
  | { to: 'client' }
  | { to: 'time'; style: 'clf-bracketed' | 'clf' | 'any' | 'sec' | 'msec' | 'usec' }
  | { to: 'request' }
  | { to: 'method' | 'path' | 'query' | 'protocol' }
  | { to: 'status' }
  | { to: 'bytes' }
  | { to: 'header'; name: string }
  | { to: 'vhost' }
  | { to: 'port' }
  | { to: 'ignore' };

interface PlannedField {
  readonly field: FieldKind;
  /** The literal that must follow the field, or null when the field runs to the end of the line. */
  readonly until: string | null;
  /** Quoted between `"`…`"`: a backslash escapes the next character while looking for the end. */
  readonly quoted: boolean;
}

type Planned = { kind: 'literal'; text: string } | ({ kind: 'field' } & PlannedField);

function planSteps(steps: readonly Step[]): Planned[] {
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

function runPlan(plan: readonly Planned[], line: string): LogRecord | null {
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
    case 'request':
      r.request = raw === '-' ? '' : unescapeLogged(raw);
      return true;
    case 'method':
      r.method = raw === '-' ? '' : raw;
      return true;
    case 'path':
      r.path = raw === '-' ? '' : unescapeLogged(raw);
      return true;
    case 'query':
      r.query = raw === '-' ? '' : unescapeLogged(raw);
      return true;
    case 'protocol':
      r.protocol = raw === '-' ? '' : raw;
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

function readInt(raw: string): number | null {
  if (raw === '' || raw.length > 15) return null;
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** Formats that log `%m %U%q %H` instead of `%r`: rebuild the request line from its parts. */
function composeRequest(r: Scratch): string {
  if (r.method === '' && r.path === '') return '';
  const query = r.query === '' ? '' : r.query.startsWith('?') ? r.query : `?${r.query}`;
  return [r.method, `${r.path}${query}`, r.protocol].filter((p) => p !== '').join(' ');
}

// ── tokenizing the format string ───────────────────────────────────────────────────────────

function tokenize(spec: string): Step[] {
  const steps: Step[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') steps.push({ kind: 'literal', text: literal });
    literal = '';
  };
  let i = 0;
  while (i < spec.length) {
    const c = spec[i] as string;
    if (c === '\\' && i + 1 < spec.length) {
      const n = spec[i + 1] as string;
      literal += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      i += 2;
    } else if (c === '%') {
      const d = readApacheDirective(spec, i);
      if (d.literal !== undefined) literal += d.literal;
      else {
        flush();
        steps.push({ kind: 'field', field: d.field as FieldKind });
      }
      i = d.next;
    } else if (c === '$' && /[A-Za-z_{]/.test(spec[i + 1] ?? '')) {
      const d = readNginxVariable(spec, i);
      flush();
      steps.push({ kind: 'field', field: d.field });
      i = d.next;
    } else {
      literal += c;
      i++;
    }
  }
  flush();
  return steps;
}

interface DirectiveRead {
  readonly field?: FieldKind;
  readonly literal?: string;
  readonly next: number;
}

/** `%[<>]?[!]?[0-9,]*({arg})?X` — modifiers, an optional argument and the directive letter. */
function readApacheDirective(spec: string, at: number): DirectiveRead {
  let i = at + 1;
  if (spec[i] === '%') return { literal: '%', next: i + 1 };
  let final = false;
  while (i < spec.length && /[<>!,0-9]/.test(spec[i] as string)) {
    if (spec[i] === '>') final = true;
    i++;
  }
  let arg: string | null = null;
  if (spec[i] === '{') {
    const close = spec.indexOf('}', i);
    if (close < 0) throw new LogFormatError(`unclosed %{ at ${at}`);
    arg = spec.slice(i + 1, close);
    i = close + 1;
  }
  const letter = spec[i];
  if (letter === undefined) throw new LogFormatError(`format ends inside a directive at ${at}`);
  return { field: apacheField(letter, arg, final), next: i + 1 };
}

function apacheField(letter: string, arg: string | null, _final: boolean): FieldKind {
  switch (letter) {
    case 'h':
    case 'a':
      return arg === null || arg === 'c' ? { to: 'client' } : { to: 'ignore' };
    case 't':
      return { to: 'time', style: arg === null ? 'clf-bracketed' : timeStyle(arg) };
    case 'r':
      return { to: 'request' };
    case 'm':
      return { to: 'method' };
    case 'U':
      return { to: 'path' };
    case 'q':
      return { to: 'query' };
    case 'H':
      return { to: 'protocol' };
    case 's':
      return { to: 'status' };
    case 'b':
    case 'B':
    case 'O':
      return { to: 'bytes' };
    case 'i':
      return arg ? { to: 'header', name: arg.toLowerCase() } : { to: 'ignore' };
    case 'v':
    case 'V':
      return { to: 'vhost' };
    case 'p':
      return arg === null || arg === 'canonical' || arg === 'local' ? { to: 'port' } : { to: 'ignore' };
    default:
      return { to: 'ignore' };
  }
}

function timeStyle(arg: string): Extract<FieldKind, { to: 'time' }>['style'] {
  const a = arg.replace(/^(begin|end):/, '');
  if (a === 'sec') return 'sec';
  if (a === 'msec') return 'msec';
  if (a === 'usec') return 'usec';
  if (a === '%d/%b/%Y:%H:%M:%S %z' || a === '%d/%b/%Y:%T %z') return 'clf';
  return 'any';
}

/** `$name` or `${name}`. */
function readNginxVariable(spec: string, at: number): { field: FieldKind; next: number } {
  let i = at + 1;
  let name: string;
  if (spec[i] === '{') {
    const close = spec.indexOf('}', i);
    if (close < 0) throw new LogFormatError(`unclosed \${ at ${at}`);
    name = spec.slice(i + 1, close);
    i = close + 1;
  } else {
    const start = i;
    while (i < spec.length && /[A-Za-z0-9_]/.test(spec[i] as string)) i++;
    name = spec.slice(start, i);
  }
  return { field: nginxField(name), next: i };
}

function nginxField(name: string): FieldKind {
  if (name.startsWith('http_')) return { to: 'header', name: name.slice(5).replace(/_/g, '-') };
  switch (name) {
    case 'remote_addr':
    case 'realip_remote_addr':
      return { to: 'client' };
    case 'time_local':
      return { to: 'time', style: 'clf' };
    case 'time_iso8601':
      return { to: 'time', style: 'any' };
    case 'msec':
      return { to: 'time', style: 'sec' };
    case 'request':
      return { to: 'request' };
    case 'request_method':
      return { to: 'method' };
    case 'request_uri':
    case 'uri':
      return { to: 'path' };
    case 'args':
    case 'query_string':
      return { to: 'query' };
    case 'server_protocol':
      return { to: 'protocol' };
    case 'status':
      return { to: 'status' };
    case 'body_bytes_sent':
    case 'bytes_sent':
      return { to: 'bytes' };
    case 'host':
    case 'server_name':
      return { to: 'vhost' };
    case 'server_port':
      return { to: 'port' };
    default:
      return { to: 'ignore' };
  }
}
