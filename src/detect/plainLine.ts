/**
 * A request as an access-log line holds it, before anything is cut out of the line: offsets
 * into the line for the request line and the logged headers. `PlainGate.clearsLine` reads it,
 * so a log's harmless lines are cleared before they are parsed (../logs/lineCore.ts), and only
 * the few that may match are parsed in full and run through the rules.
 */
import { type HttpObservation, LIMITS } from '../observe/observation.js';
import type { CompiledCondition } from './compile.js';
import { evaluate } from './evaluate.js';
import type { FieldContext } from './fields.js';
import type { LiteralSet } from './literalSet.js';
import type { Target } from './targets.js';

/** The headers a plain line may carry (what `common` and `combined` log), by lower-case name. */
export const PLAIN_LINE_HEADERS: readonly string[] = ['referer', 'user-agent'];

/** Filled in place, line after line: one per reader, nothing allocated per line. */
export class PlainLine {
  text = '';
  /** The request line as the client sent it: text[lineFrom, lineTo). */
  lineFrom = 0;
  lineTo = 0;
  /** The logged headers: names from PLAIN_LINE_HEADERS, values text[valueFrom[i], valueTo[i]). */
  headerCount = 0;
  readonly headerNames: string[] = [];
  readonly valueFrom: number[] = [];
  readonly valueTo: number[] = [];
  /** The peer address as logged: text[peerFrom, peerTo). */
  peerFrom = 0;
  peerTo = 0;
  /** The answer's status, for the reader's caller (the gate does not read it). */
  status: number | null = null;
  /** The source the Observation would name for that peer (trusted proxies), or null for the peer itself. */
  source: ((peer: string) => string) | null = null;

  addHeader(name: string, from: number, to: number): void {
    const i = this.headerCount++;
    this.headerNames[i] = name;
    this.valueFrom[i] = from;
    this.valueTo[i] = to;
  }

  sourceIp(): string {
    const peer = this.text.slice(this.peerFrom, this.peerTo);
    return this.source === null ? peer : this.source(peer);
  }
}

/**
 * Fields with the same values on every plain line: origin form, well formed, no body, no
 * authority, no header but PLAIN_LINE_HEADERS, port 0, over TCP, from the logs.
 */
const CONSTANT_ON_PLAIN_LINES: ReadonlySet<string> = new Set([
  'request.form',
  'request.malformed',
  'authority.host',
  'authority.port',
  'body',
  'host',
  'cookie.names',
  'cookie.values',
  'source.port',
  'destination.port',
  'transport',
  'sensor',
  'payload',
  'payload.length',
]);

function constantOnPlainLines(field: string): boolean {
  return (
    CONSTANT_ON_PLAIN_LINES.has(field) ||
    (field.startsWith('header:') && !PLAIN_LINE_HEADERS.includes(field.slice(7)) && field !== 'header:cookie')
  );
}

/** A plain line's Observation but for its request line, headers and source: what the constant fields read. */
const TEMPLATE: HttpObservation = {
  kind: 'http',
  transport: 'tcp',
  sensor: 'logs',
  time: 0,
  source: { ip: '', port: 0 },
  destination: { ip: '', port: 0 },
  request: {
    line: 'GET / HTTP/1.1',
    lineTruncated: false,
    method: 'GET',
    target: '/',
    version: 'HTTP/1.1',
    form: 'origin',
    authority: null,
    path: '/',
    query: '',
    headers: [],
    bodyPrefix: '',
    malformed: null,
  },
  status: null,
};

/** A rule the literal scans cannot clear: a prefilter entry on another field, or a rule without one. */
export type Residual =
  | { readonly kind: 'entry'; readonly target: Target; readonly literals: LiteralSet }
  | { readonly kind: 'rule'; readonly conditions: readonly CompiledCondition[] };

/**
 * What is left to check on a plain line once its scans admitted no rule: the residual rules
 * that read its source (each line), or null when some residual rule reads a field the line
 * does not give without parsing, or matches the constant fields alone (then no line is cleared).
 */
export function plainLineResidual(residual: readonly Residual[], ctx: FieldContext): Residual[] | null {
  const perSource: Residual[] = [];
  ctx.load(TEMPLATE);
  for (const r of residual) {
    const fields = r.kind === 'entry' ? [(r.target.root ?? r.target).field] : conditionFields(r.conditions);
    if (fields.some((f) => f !== 'source.ip' && !constantOnPlainLines(f))) return null;
    if (fields.includes('source.ip')) perSource.push(r);
    else if (!residualClear(r, ctx)) return null;
  }
  return perSource;
}

/** A plain line's Observation for the residual rules: the template, from the line's source. */
export class PlainSource {
  readonly #source = { ip: '', port: 0 };
  readonly #observation: HttpObservation = { ...TEMPLATE, source: this.#source };

  /** Whether the residual rules cannot match a plain line from `sourceIp`. */
  clear(perSource: readonly Residual[], sourceIp: string, ctx: FieldContext): boolean {
    if (perSource.length === 0) return true;
    this.#source.ip = sourceIp;
    ctx.load(this.#observation);
    return residualsClear(perSource, ctx);
  }
}

/** Whether none of the residual rules matches the Observation loaded in `ctx`. */
export function residualsClear(residuals: readonly Residual[], ctx: FieldContext): boolean {
  for (const r of residuals) if (!residualClear(r, ctx)) return false;
  return true;
}

/**
 * The Observation `observationFromRecord` makes of a plain line (cut at `plainRequestCuts`),
 * but its time and status, which no rule reads: for a line whose scans admitted a rule.
 */
export function plainObservation(p: PlainLine, cuts: Int32Array): HttpObservation {
  const text = p.text;
  const m = cuts[0] as number;
  const t = cuts[1] as number;
  const q = cuts[2] as number;
  const fragment = cuts[3] as number;
  const headers: Array<readonly [string, string]> = [];
  for (let h = 0; h < p.headerCount; h++)
    headers.push([p.headerNames[h] as string, text.slice(p.valueFrom[h], p.valueTo[h])]);
  const request = {
    ...TEMPLATE.request,
    line: text.slice(p.lineFrom, p.lineTo),
    method: text.slice(p.lineFrom, m),
    target: text.slice(m + 1, t),
    version: text.slice(t + 1, p.lineTo),
    path: text.slice(m + 1, q),
    query: q + 1 < fragment ? text.slice(q + 1, fragment) : '',
    headers,
  };
  return { ...TEMPLATE, source: { ip: p.sourceIp(), port: 0 }, request };
}

function residualClear(r: Residual, ctx: FieldContext): boolean {
  if (r.kind === 'rule') return evaluate(r.conditions, ctx) === null;
  for (const value of ctx.get(r.target)) if (!r.literals.clearOf(value)) return false;
  return true;
}

function conditionFields(conditions: readonly CompiledCondition[]): string[] {
  const fields: string[] = [];
  const visit = (c: CompiledCondition): void => {
    if (c.kind === 'any') c.of.forEach(visit);
    else for (const t of c.targets) fields.push((t.root ?? t).field);
  };
  conditions.forEach(visit);
  return fields;
}

const SLASH = 47;
/** Global, for a search from an offset (lastIndex): anything but printable ASCII and the space. */
const NOT_PRINTABLE = /[^\x20-\x7e]/g;

/**
 * Where the parts of the request line `text[from, to)` end — method, target, path, query — when
 * it surely makes a well-formed origin-form request (../observe/httpRequest.ts): an upper-case
 * method, a target starting with `/`, `HTTP/d.d`, single spaces, printable ASCII only, within
 * the length bound. Null for any other line (the gate then says "maybe").
 */
export function plainRequestCuts(text: string, from: number, to: number, cuts: Int32Array): Int32Array | null {
  if (to - from > LIMITS.requestLine) return null;
  const m = text.indexOf(' ', from);
  const t = m < 0 ? -1 : text.indexOf(' ', m + 1);
  if (m <= from || t < 0 || t >= to || text.charCodeAt(m + 1) !== SLASH || !httpVersion(text, t + 1, to)) return null;
  // Nothing but printable ASCII and those two spaces (the version has none, being HTTP/d.d).
  NOT_PRINTABLE.lastIndex = from;
  if (NOT_PRINTABLE.test(text) && NOT_PRINTABLE.lastIndex <= t) return null;
  for (let i = from; i < m; i++) {
    const c = text.charCodeAt(i);
    if (c < 65 || c > 90) return null;
  }
  // The fragment is no part of path or query.
  const hash = text.indexOf('#', m + 1);
  const fragment = hash >= 0 && hash < t ? hash : t;
  const question = text.indexOf('?', m + 1);
  const q = question >= 0 && question < fragment ? question : fragment;
  cuts[0] = m;
  cuts[1] = t;
  cuts[2] = q;
  cuts[3] = fragment;
  return cuts;
}

/** `HTTP/d` or `HTTP/d.d` exactly from `from` to `to` (isHttpVersion, in place). */
function httpVersion(text: string, from: number, to: number): boolean {
  const n = to - from;
  if ((n !== 6 && n !== 8) || !text.startsWith('HTTP/', from) || !digit(text.charCodeAt(from + 5))) return false;
  return n === 6 || (text.charCodeAt(from + 6) === 46 /* . */ && digit(text.charCodeAt(from + 7)));
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}
