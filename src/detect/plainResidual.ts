/**
 * What the plain-request gate checks on a log line (./plainLine.ts) once its literal scans
 * admitted nothing: the rules the scans cannot clear — prefilter entries on other fields, and
 * rules without a prefilter — on the fields a plain line has, and the Observation of a line
 * whose scans did admit a rule.
 */
import type { HttpObservation } from '../observe/observation.js';
import { type CompiledCondition, conditionFields } from './compile.js';
import { evaluate } from './evaluate.js';
import type { StaticField } from './fieldNames.js';
import type { FieldContext } from './fields.js';
import type { LiteralSet } from './literalSet.js';
import { PLAIN_LINE_HEADERS, type PlainLine } from './plainLine.js';
import type { Target } from './targets.js';

/**
 * How each field reads on a plain line: origin form, well formed, no body, no authority, no
 * header but PLAIN_LINE_HEADERS, port 0, over TCP, from the logs — so only the request line,
 * its parts, those headers and the source vary. A Record, so a new field cannot be added to
 * STATIC_FIELDS without deciding here (taking a varying field for a constant one would clear
 * lines a rule on it matches).
 */
const ON_PLAIN_LINES: Readonly<Record<StaticField, 'varies' | 'constant'>> = {
  'request.line': 'varies',
  'request.method': 'varies',
  'request.target': 'varies',
  'request.version': 'varies',
  'request.form': 'constant',
  'request.malformed': 'constant',
  'request.path': 'varies',
  'request.query': 'varies',
  'authority.host': 'constant',
  'authority.port': 'constant',
  'args.names': 'varies',
  'args.values': 'varies',
  'cookie.names': 'constant',
  'cookie.values': 'constant',
  'headers.names': 'varies',
  'headers.values': 'varies',
  'user-agent': 'varies',
  host: 'constant',
  body: 'constant',
  'source.ip': 'varies',
  'source.port': 'constant',
  'destination.port': 'constant',
  transport: 'constant',
  sensor: 'constant',
  payload: 'constant',
  'payload.length': 'constant',
};

function constantOnPlainLines(field: string): boolean {
  return (
    (Object.hasOwn(ON_PLAIN_LINES, field) && ON_PLAIN_LINES[field as StaticField] === 'constant') ||
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

/**
 * Whether a rule can match some plain line: false when one of its conditions reads only fields
 * that are constant on plain lines and fails on them (a rule for the gateway's sensor, say).
 */
export function possibleOnPlainLines(conditions: readonly CompiledCondition[], ctx: FieldContext): boolean {
  ctx.load(TEMPLATE);
  for (const c of conditions)
    if (conditionFields([c]).every(constantOnPlainLines) && evaluate([c], ctx) === null) return false;
  return true;
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
