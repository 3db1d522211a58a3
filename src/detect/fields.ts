import type { HttpRequest, Observation } from '../observe/observation.js';
import { addBodyArgs } from './bodyArgs.js';
import type { FieldName, StaticField } from './fieldNames.js';
import { TRANSFORMS, type TransformName } from './transforms/index.js';

const NONE: readonly string[] = [];

/** Names and values of `a=1&b=2` or `a=1; b=2` pairs, in order. */
interface Pairs {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

/** Most requests have no cookie, many no query: one shared empty answer, nothing allocated. */
const NO_PAIRS: Pairs = { names: NONE, values: NONE };

/** Reads one field's raw values; chosen once per Target at compile time, not per request. */
export type FieldReader = (ctx: FieldContext) => readonly string[];

/**
 * What the per-request cache needs of a compiled target (./targets.ts): its id, and how to get
 * its values — read the raw field, or apply one step to its parent's values.
 */
export interface TargetNode {
  /** Small dense number within one engine: indexes the per-request caches. */
  readonly id: number;
  readonly parent: TargetNode | null;
  /** The raw field, null when this target is the raw field itself. */
  readonly root: TargetNode | null;
  readonly last: TransformName | null;
  /** Reads the raw field (used when `parent` is null). */
  readonly read: FieldReader;
}

const http =
  (read: (request: HttpRequest, ctx: FieldContext) => readonly string[]): FieldReader =>
  (ctx) =>
    ctx.observation.kind === 'http' ? read(ctx.observation.request, ctx) : NONE;

const READERS: Readonly<Record<StaticField, FieldReader>> = {
  'request.line': http((r) => [r.line]),
  'request.method': http((r) => [r.method]),
  'request.target': http((r) => [r.target]),
  'request.version': http((r) => [r.version]),
  'request.form': http((r) => [r.form]),
  'request.malformed': http((r) => (r.malformed === null ? NONE : [r.malformed])),
  'request.path': http((r) => [r.path]),
  'request.query': http((r) => (r.query === '' ? NONE : [r.query])),
  'authority.host': http((r) => (r.authority ? [r.authority.host] : NONE)),
  'authority.port': http((r) => (r.authority?.port != null ? [String(r.authority.port)] : NONE)),
  'args.names': http((r, ctx) => ctx.args(r).names),
  'args.values': http((r, ctx) => ctx.args(r).values),
  'cookie.names': http((r, ctx) => ctx.cookies(r).names),
  'cookie.values': http((r, ctx) => ctx.cookies(r).values),
  'headers.names': http((r) => packedMap(r.headers, ([n]) => n)),
  'headers.values': http((r) => packedMap(r.headers, ([, v]) => v)),
  'user-agent': http((r) => headerValues(r, 'user-agent')),
  host: http((r) => packedMap(headerValues(r, 'host'), hostOnly)),
  body: http((r) => (r.bodyPrefix === '' ? NONE : [r.bodyPrefix])),
  'source.ip': (ctx) => ctx.one(ONE.sourceIp, ctx.observation.source.ip),
  'source.port': (ctx) => ctx.one(ONE.sourcePort, String(ctx.observation.source.port)),
  'destination.port': (ctx) => ctx.one(ONE.destinationPort, String(ctx.observation.destination.port)),
  transport: (ctx) => ctx.one(ONE.transport, ctx.observation.transport),
  /** Which sensor saw it: rules about what access logs never record (header absence) name the others. */
  sensor: (ctx) => ctx.one(ONE.sensor, ctx.observation.sensor),
  payload: (ctx) =>
    ctx.observation.kind === 'datagram' ? ctx.one(ONE.payload, latin1(ctx.observation.payload)) : NONE,
  'payload.length': (ctx) =>
    ctx.observation.kind === 'datagram' ? ctx.one(ONE.payloadLength, String(ctx.observation.payload.byteLength)) : NONE,
};

/** The fields with exactly one value per Observation: each has a list of one the context refills. */
const ONE = {
  sourceIp: 0,
  sourcePort: 1,
  destinationPort: 2,
  transport: 3,
  sensor: 4,
  payload: 5,
  payloadLength: 6,
} as const;
const ONE_FIELDS = 7;

export function readerFor(field: FieldName): FieldReader {
  if (field.startsWith('header:')) {
    const name = field.slice(7);
    return http((r) => headerValues(r, name));
  }
  return READERS[field as StaticField];
}

/**
 * Lazily computes and memoises field values (raw and transformed) for one Observation at a
 * time. `load` switches to another Observation; the engine reuses one context for all of them,
 * so a request costs no allocation for what it does not read.
 */
export class FieldContext {
  /** Set by the constructor or by `load`; reading fields before either is a bug. */
  observation: Observation;
  /**
   * Indexed by Target id, valid where `stamps` holds the current stamp. Allocated whole (ids
   * are dense and few): an array grown by writes at scattered indexes falls back to slow
   * dictionary elements. Grown when targets compiled later bring higher ids.
   */
  private cache: Array<readonly string[] | undefined> = [];
  private stamps = new Uint32Array(0);
  private stamp = 0;
  private parsedArgs: Pairs | undefined;
  private parsedCookies: Pairs | undefined;
  /**
   * The single-valued fields' lists (ONE), refilled by each Observation that reads them: the
   * datagram rules read the address and ports of every datagram. A list's value holds until
   * the next `load`, as the cache's entries: nothing reads values past its Observation.
   */
  private readonly ones: string[][] = Array.from({ length: ONE_FIELDS }, () => ['']);

  /** `targets`: how many targets the engine compiled (ids are below it); grown on demand. */
  constructor(observation: Observation | null, targets = 0) {
    this.observation = observation as Observation;
    this.resize(targets);
    this.load(observation);
  }

  /** Forgets everything about the previous Observation. */
  load(observation: Observation | null): void {
    this.observation = observation as Observation;
    this.parsedArgs = undefined;
    this.parsedCookies = undefined;
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) this.resize(this.stamps.length);
  }

  /** `value` as the one value of the single-valued field `field` (an index of ONE). */
  one(field: number, value: string): readonly string[] {
    const list = this.ones[field] as string[];
    list[0] = value;
    return list;
  }

  /** The target's values, computed from its parent's (one transformation step) and memoised. */
  get(target: TargetNode): readonly string[] {
    const id = target.id;
    // A target compiled after this context was sized (a test's, a reloaded engine's): grow once.
    if (id >= this.stamps.length) this.resize(id + 1);
    if (this.stamps[id] === this.stamp) return this.cache[id] as readonly string[];
    let values: readonly string[];
    if (target.parent === null || target.root === null || target.last === null) values = target.read(this);
    // A field the Observation lacks stays empty whatever the transformations: skip the chain.
    else if (this.get(target.root).length === 0) values = NONE;
    else values = applyStep(this.get(target.parent), TRANSFORMS[target.last]);
    this.cache[id] = values;
    this.stamps[id] = this.stamp;
    return values;
  }

  private resize(size: number): void {
    this.cache = new Array(size).fill(undefined);
    this.stamps = new Uint32Array(size);
    this.stamp = 1;
  }

  /**
   * Query arguments, plus the body's: form-encoded pairs split raw (decoded by transforms), or
   * what ./bodyArgs.ts reads from JSON, XML and multipart bodies.
   */
  args(request: HttpRequest): Pairs {
    if (this.parsedArgs !== undefined) return this.parsedArgs;
    if (request.query === '' && request.bodyPrefix === '') return NO_PAIRS;
    const names: string[] = [];
    const values: string[] = [];
    addPairs(request.query, '&', names, values);
    if (request.bodyPrefix !== '') {
      const type = headerValues(request, 'content-type')[0] ?? '';
      if (type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
        addPairs(request.bodyPrefix, '&', names, values);
      else addBodyArgs(type, request.bodyPrefix, { names, values });
    }
    this.parsedArgs = { names, values };
    return this.parsedArgs;
  }

  /** Cookie names and values from every Cookie header (`a=1; b=2`). */
  cookies(request: HttpRequest): Pairs {
    if (this.parsedCookies !== undefined) return this.parsedCookies;
    const headers = headerValues(request, 'cookie');
    if (headers.length === 0) {
      this.parsedCookies = NO_PAIRS;
      return NO_PAIRS;
    }
    const names: string[] = [];
    const values: string[] = [];
    for (const header of headers) addPairs(header, ';', names, values);
    this.parsedCookies = { names, values };
    return this.parsedCookies;
  }
}

/**
 * `list.map(f)`, built by pushing: `map` makes a holey array, and a values list of a kind the
 * rules' evaluation had not met when it was optimized throws that code away (../detect/evaluate.ts
 * reads every list's length), to be compiled again mid-capture.
 */
function packedMap<T>(list: readonly T[], f: (item: T) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out.push(f(list[i] as T));
  return out;
}

/** One transformation over every value; the input list itself when nothing changed (no allocation). */
function applyStep(from: readonly string[], step: (value: string) => string): readonly string[] {
  let out: string[] | null = null;
  for (let i = 0; i < from.length; i++) {
    const before = from[i] as string;
    const after = step(before);
    if (out === null && after !== before) out = from.slice(0, i);
    if (out !== null) out.push(after);
  }
  return out ?? from;
}

/**
 * Whether each `&`-separated pair of `query` (from `from` to `to`) holds at most one `=`: no
 * argument's value (what follows its first `=`, see addPairs) holds one.
 */
export function oneEqualsEach(query: string, from = 0, to = query.length): boolean {
  let eq = query.indexOf('=', from);
  while (eq >= 0 && eq < to) {
    const next = query.indexOf('=', eq + 1);
    if (next < 0 || next >= to) return true;
    const amp = query.indexOf('&', eq + 1);
    if (amp < 0 || amp >= to || next < amp) return false;
    eq = next;
  }
  return true;
}

function addPairs(text: string, separator: string, names: string[], values: string[]): void {
  if (text === '') return;
  for (const raw of text.split(separator)) {
    const pair = separator === ';' ? raw.trim() : raw;
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    names.push(eq < 0 ? pair : pair.slice(0, eq));
    if (eq >= 0) values.push(pair.slice(eq + 1));
  }
}

/** The values of one header; the shared empty list when there are none (most headers, most requests). */
function headerValues(request: HttpRequest, name: string): readonly string[] {
  let out: string[] | null = null;
  for (const [n, v] of request.headers) {
    if (n !== name) continue;
    out ??= [];
    out.push(v);
  }
  return out ?? NONE;
}

function hostOnly(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    return close > 0 ? v.slice(1, close) : v;
  }
  const colon = v.indexOf(':');
  return colon >= 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v;
}

/** The payload's bytes as text, one character per byte, read in place (no copy of the bytes). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
