/**
 * "Can any rule match this request?" answered by one literal scan of its request line and one
 * of each header value, for plain requests: origin form, well formed, no body — nearly every
 * line of an access log. No field is split out, no transformation applied, no rule visited:
 * the scans look for every literal any rule's prefilter needs (./prefilter.ts) in the raw text
 * the fields are cut from, and stop where a transformation could change what a field says.
 * A "no" is certain (test/detect/plainGate.test.ts holds it to the engine); a "maybe" sends
 * the request to `RuleEngine.match`.
 *
 * Why the raw text will do: on a plain request every field a rule reads as text is a piece of
 * the request line (method, path, query, arguments) or of one header's value (User-Agent,
 * cookies), so a literal in a field is a literal in that text, unless a transformation made it
 * — which is what the stops are for. Rules on other fields (the target's form, header names,
 * the source address) and rules without a prefilter are few: those are evaluated as the
 * engine would, on the request's own fields.
 */
import { LIMITS, type Observation } from '../observe/observation.js';
import type { CompiledCondition, CompiledRule } from './compile.js';
import { Doorkeeper } from './doorkeeper.js';
import { evaluate } from './evaluate.js';
import type { FieldName } from './fieldNames.js';
import { FieldContext, oneEqualsEach } from './fields.js';
import { foldAscii, LiteralSet } from './literalSet.js';
import { MarkTable } from './markTable.js';
import { PLAIN_LINE_HEADERS, type PlainLine, plainRequestCuts } from './plainLine.js';
import {
  PlainSource,
  plainLineResidual,
  plainObservation,
  possibleOnPlainLines,
  type Residual,
  residualsClear,
} from './plainResidual.js';
import type { Target } from './targets.js';
import { combinedGuard } from './transforms/identity.js';
import { TRANSFORMS, type TransformName } from './transforms/index.js';
import { detached, PREFILTER_MEMO } from './valueScan.js';

/** The part of a plain request line each field is cut from (a field not listed is none of it). */
const LINE_PARTS: Readonly<Record<string, LinePart>> = {
  'request.line': 'line',
  'request.method': 'method',
  'request.target': 'target',
  'request.version': 'version',
  'request.path': 'path',
  'request.query': 'query',
  'args.names': 'query',
  'args.values': 'query',
};
type LinePart = 'line' | 'method' | 'target' | 'version' | 'path' | 'query';
/** Split out of the query at `&`: they never hold one. */
const ARG_FIELDS: ReadonlySet<string> = new Set(['args.names', 'args.values']);
/** Where a value may start inside a query or a header value (besides the text's start). */
const QUERY_STARTS = '&=';
const HEADER_STARTS = ' =;,';
const SPACE = 32;
const QUESTION = 63;
/** Header names seen, each with its scan; bounded, as names are the client's to choose. */
const MAX_HEADER_SCANS = 64;
const RECENT_SLOTS = 256;

/** Which header's value holds a field's values: a name, '*' for every header, null for none. */
function headerOf(field: FieldName): string | null {
  if (field === 'headers.values') return '*';
  if (field === 'user-agent' || field === 'host') return field;
  if (field === 'cookie.names' || field === 'cookie.values') return 'cookie';
  return field.startsWith('header:') ? field.slice(7) : null;
}

interface Chain {
  readonly target: Target;
  readonly literals: readonly string[];
  /** The index of the rule whose prefilter this is. */
  readonly rule: number;
}

/** One scan: the literals of several chains, stopping where any of them could change the text. */
class TextScan {
  readonly #set: LiteralSet;
  /** For each literal of #set, the rules it admits. */
  readonly #owners: ReadonlyArray<readonly number[]>;
  /** 1 for each latin1 character a chain changes at the start of a value. */
  readonly #leading = new Uint8Array(256);

  /** `ampless`: chains whose values never hold an `&` of this text. */
  constructor(chains: readonly Chain[], starts: string, ampless: (c: Chain) => boolean = () => false) {
    const characters = new Set<string>();
    const substrings = new Set<string>();
    const owners = new Map<string, number[]>();
    let asciiOnly = false;
    for (const chain of chains) {
      const g = combinedGuard(chain.target.transforms as TransformName[]);
      for (const c of g.characters) if (!(c === '&' && ampless(chain))) characters.add(c);
      for (const s of g.substrings) substrings.add(s);
      for (const c of g.leading) {
        this.#leading[c.charCodeAt(0)] = 1;
        for (const before of starts) substrings.add(`${before}${c}`);
      }
      asciiOnly ||= g.asciiOnly;
      for (const literal of chain.literals) {
        const rules = owners.get(foldAscii(literal)) ?? [];
        if (!rules.includes(chain.rule)) rules.push(chain.rule);
        owners.set(foldAscii(literal), rules);
      }
    }
    this.#set = new LiteralSet([...owners.keys()], {
      caseless: true,
      stopAt: [...characters].join(''),
      stopAboveAscii: asciiOnly,
      stopAtSubstrings: [...substrings],
    });
    this.#owners = [...owners.values()];
  }

  /**
   * Stamps (and lists in `out`) the rules whose literals occur in `text` between `from` and
   * `to`; false when a transformation could change that text (the gate then says "maybe").
   */
  admit(text: string, marks: Uint32Array, stamp: number, out: number[], from = 0, to = text.length): boolean {
    if (to <= from) return true;
    const first = text.charCodeAt(from);
    return (
      (first > 255 || this.#leading[first] === 0) &&
      this.#set.markOwners(text, this.#owners, marks, stamp, out, from, to)
    );
  }
}

/**
 * A header's scan, remembering the values it cleared: a log repeats its User-Agents and
 * referers line after line, and a repeat costs one string comparison. Values are remembered on
 * their second sighting (./doorkeeper.ts), copied (a slice would hold its whole log chunk), and
 * only up to PREFILTER_MEMO.maxLength characters.
 */
class HeaderScan {
  readonly #recent: string[] = new Array(RECENT_SLOTS).fill('');

  constructor(
    private readonly scan: TextScan,
    private readonly doorkeeper: Doorkeeper,
    private readonly salt: number,
  ) {}

  admit(value: string, marks: Uint32Array, stamp: number, out: number[]): boolean {
    const n = value.length;
    if (n === 0) return true;
    const slot = (Math.imul(n, 0x9e3779b1) ^ Math.imul(value.charCodeAt(n >> 1), 31) ^ value.charCodeAt(n - 1)) >>> 24;
    if (this.#recent[slot] === value) return true;
    const before = out.length;
    if (!this.scan.admit(value, marks, stamp, out)) return false;
    // Only values that admit no rule are remembered: a repeat of one then admits none again.
    if (out.length === before && n <= PREFILTER_MEMO.maxLength && this.doorkeeper.seenBefore(value, this.salt))
      this.#recent[slot] = detached(value);
    return true;
  }
}

export class PlainGate {
  readonly #partChains: Readonly<Record<LinePart, readonly Chain[]>>;
  /** One scan per part of the request line, null where no rule looks. */
  readonly #parts: PartScans;
  /** For clearsLine: the parts' scans for the rules some plain line may match; made on first use. */
  #lineParts: PartScans | undefined;
  /** Chains read from header values, by header name ('*': every header). */
  readonly #headerChains = new Map<string, Chain[]>();
  /** null for a name some rule looks for (`headers.names`): no request carrying it is cleared. */
  readonly #headerScans = new Map<string, HeaderScan | null>();
  /**
   * The scan of a header no rule names (its chains are '*''s alone): one for all of them, made
   * at the first, where each name would build (or read from the build's copy) the same table.
   */
  #everyHeaderScan: TextScan | undefined;
  readonly #doorkeeper = new Doorkeeper(14);
  /** Prefilter entries on other fields, checked on the request's own fields. */
  readonly #entries: Array<{ readonly kind: 'entry'; readonly target: Target; readonly literals: LiteralSet }> = [];
  /** Whether a prefilter on the target's form admits `origin`, the form of every plain request. */
  #formAdmits = false;
  /** Prefilter entries on header names: checked once per name, when its scan is made. */
  readonly #nameEntries: Chain[] = [];
  /** Rules without a prefilter: evaluated in full. */
  readonly #unfiltered: Array<{ readonly kind: 'rule'; readonly conditions: readonly CompiledCondition[] }> = [];
  readonly #ctx = new FieldContext(null);
  readonly #rules: readonly CompiledRule[];
  /** The rules the scans admitted for the current request (stamped, and listed in #candidates). */
  readonly #admitted: MarkTable;
  readonly #candidates: number[] = [];
  /** For clearsLine: the residual rules to check per source, null when no line can be cleared; made on first use. */
  #perSource: Residual[] | null | undefined;
  /** For clearsLine: 1 for each rule some plain line may match (possibleOnPlainLines); made on first use. */
  #possible: Uint8Array | undefined;
  readonly #cuts = new Int32Array(4);
  readonly #plainSource = new PlainSource();

  constructor(rules: readonly CompiledRule[]) {
    this.#rules = rules;
    this.#admitted = new MarkTable(rules.length);
    const partChains: Record<LinePart, Chain[]> = {
      line: [],
      method: [],
      target: [],
      version: [],
      path: [],
      query: [],
    };
    for (const [index, rule] of rules.entries()) {
      if (rule.on !== 'http') continue;
      if (rule.prefilter === null) {
        this.#unfiltered.push({ kind: 'rule', conditions: rule.conditions });
        continue;
      }
      for (const { target, literals } of rule.prefilter) {
        const field = (target.root ?? target).field;
        const header = headerOf(field);
        const chain = { target, literals, rule: index };
        const part = LINE_PARTS[field];
        // An argument holds no `&` (it separates them) nor, on a query passing
        // `oneEqualsEach`, an `=`: literals with one are found only where `%` stops the scan.
        if (part !== undefined)
          partChains[part].push(
            ARG_FIELDS.has(field) ? { ...chain, literals: literals.filter((l) => !/[&=]/.test(l)) } : chain,
          );
        else if (header !== null) this.#headerChains.set(header, [...(this.#headerChains.get(header) ?? []), chain]);
        else if (field === 'request.form') this.#formAdmits ||= !clearAfter(target, 'origin', literals);
        else if (field === 'headers.names') this.#nameEntries.push(chain);
        else this.#entries.push({ kind: 'entry', target, literals: new LiteralSet(literals, { caseless: true }) });
      }
    }
    this.#partChains = partChains;
    this.#parts = partScans(partChains, () => true);
  }

  /** False when some rule may match `observation`; true when `RuleEngine.match` would certainly find nothing. */
  clears(observation: Observation): boolean {
    if (observation.kind !== 'http' || this.#formAdmits) return false;
    const r = observation.request;
    if (r.malformed !== null || r.form !== 'origin' || r.bodyPrefix !== '') return false;
    const marks = this.#admitted.marks;
    const stamp = this.#admitted.nextStamp();
    const candidates = this.#candidates;
    candidates.length = 0;
    const { line, method, path, query } = r;
    const m = method.length;
    const t = m + 1 + r.target.length;
    if (line.length !== t + 1 + r.version.length || line.charCodeAt(m) !== SPACE || line.charCodeAt(t) !== SPACE)
      return false;
    // Origin form: the path starts the target, the query follows its `?`.
    const q = m + 1 + path.length;
    if (query !== '' && line.charCodeAt(q) !== QUESTION) return false;
    const queryEnd = query === '' ? q : q + 1 + query.length;
    if (!lineAdmit(this.#parts, line, 0, m, t, q, queryEnd, line.length, marks, stamp, candidates)) return false;
    const headers = r.headers;
    for (let h = 0; h < headers.length; h++) {
      const [name, value] = headers[h] as readonly [string, string];
      const scan = this.#headerScan(name);
      if (scan === null || !scan.admit(value, marks, stamp, candidates)) return false;
    }
    if (candidates.length === 0 && this.#entries.length === 0 && this.#unfiltered.length === 0) return true;
    // The few rules left are evaluated as the engine would: a literal seen is not yet a match.
    const ctx = this.#ctx;
    ctx.load(observation);
    for (const { target, literals } of this.#entries)
      for (const value of ctx.get(target)) if (!literals.clearOf(value)) return false;
    for (const { conditions } of this.#unfiltered) if (evaluate(conditions, ctx) !== null) return false;
    for (const rule of candidates)
      if (evaluate((this.#rules[rule] as CompiledRule).conditions, ctx) !== null) return false;
    return true;
  }

  /**
   * False when some rule may match the request of a log line (see ./plainLine.ts); true when
   * `RuleEngine.match` would certainly find nothing in the Observation made from that line.
   * Only a request line that surely makes a well-formed origin-form request is read here.
   */
  clearsLine(p: PlainLine): boolean {
    this.#perSource ??= plainLineResidual([...this.#entries, ...this.#unfiltered], this.#ctx);
    if (this.#perSource === null || this.#formAdmits) return false;
    this.#possible ??= Uint8Array.from(this.#rules, (r) => (possibleOnPlainLines(r.conditions, this.#ctx) ? 1 : 0));
    const possible = this.#possible;
    this.#lineParts ??= partScans(this.#partChains, (rule) => possible[rule] === 1);
    const text = p.text;
    const from = p.lineFrom;
    const to = p.lineTo;
    const cuts = plainRequestCuts(text, from, to, this.#cuts);
    if (cuts === null) return false;
    const marks = this.#admitted.marks;
    const stamp = this.#admitted.nextStamp();
    const candidates = this.#candidates;
    if (candidates.length !== 0) candidates.length = 0;
    const m = cuts[0] as number;
    const t = cuts[1] as number;
    const q = cuts[2] as number;
    const queryEnd = cuts[3] as number;
    if (!lineAdmit(this.#lineParts, text, from, m, t, q, queryEnd, to, marks, stamp, candidates)) return false;
    for (let h = 0; h < p.headerCount; h++) {
      const name = p.headerNames[h] as string;
      const value = text.slice(p.valueFrom[h], p.valueTo[h]);
      if (!PLAIN_LINE_HEADERS.includes(name) || value.length > LIMITS.headerValue) return false;
      const scan = this.#headerScan(name);
      if (scan === null || !scan.admit(value, marks, stamp, candidates)) return false;
    }
    // A header's literal of a rule no plain line can match (one for another sensor) admits nothing.
    let kept = 0;
    for (let c = 0; c < candidates.length; c++)
      if (possible[candidates[c] as number] === 1) candidates[kept++] = candidates[c] as number;
    if (kept !== candidates.length) candidates.length = kept;
    if (kept === 0) return this.#plainSource.clear(this.#perSource, p.sourceIp(), this.#ctx);
    // A literal seen is not yet a match: the rules it admits are evaluated on the line's request.
    const ctx = this.#ctx;
    ctx.load(plainObservation(p, cuts));
    if (!residualsClear(this.#perSource, ctx)) return false;
    for (const rule of candidates)
      if (evaluate((this.#rules[rule] as CompiledRule).conditions, ctx) !== null) return false;
    return true;
  }

  #headerScan(name: string): HeaderScan | null {
    const known = this.#headerScans.get(name);
    if (known !== undefined || this.#headerScans.has(name)) return known ?? null;
    if (this.#headerScans.size >= MAX_HEADER_SCANS) return null;
    const scan = this.#nameEntries.every((e) => clearAfter(e.target, name, e.literals))
      ? new HeaderScan(this.#textScanOf(name), this.#doorkeeper, this.#headerScans.size)
      : null;
    this.#headerScans.set(name, scan);
    return scan;
  }

  #textScanOf(name: string): TextScan {
    const every = this.#headerChains.get('*') ?? [];
    const own = this.#headerChains.get(name);
    if (own !== undefined) return new TextScan([...every, ...own], HEADER_STARTS);
    this.#everyHeaderScan ??= new TextScan(every, HEADER_STARTS);
    return this.#everyHeaderScan;
  }
}

/** Whether `value`, through the target's transformations, holds none of `literals` (ASCII case folded). */
function clearAfter(target: Target, value: string, literals: readonly string[]): boolean {
  let v = value;
  for (const step of target.transforms) v = TRANSFORMS[step](v);
  const folded = foldAscii(v);
  return literals.every((l) => !folded.includes(foldAscii(l)));
}

/**
 * Each part of a plain line (`METHOD target VERSION`, single spaces, from `from` to `to` of
 * `text`) scanned for its own fields' literals: the method ends at `m`, the target at `t`, the
 * path at `q`, the query (after its `?`) at `queryEnd`.
 */
function lineAdmit(
  p: PartScans,
  text: string,
  from: number,
  m: number,
  t: number,
  q: number,
  queryEnd: number,
  to: number,
  marks: Uint32Array,
  stamp: number,
  out: number[],
): boolean {
  if (queryEnd > q && !oneEqualsEach(text, q + 1, queryEnd)) return false;
  return (
    (p.line === null || p.line.admit(text, marks, stamp, out, from, to)) &&
    (p.method === null || p.method.admit(text, marks, stamp, out, from, m)) &&
    (p.target === null || p.target.admit(text, marks, stamp, out, m + 1, t)) &&
    (p.version === null || p.version.admit(text, marks, stamp, out, t + 1, to)) &&
    (p.path === null || p.path.admit(text, marks, stamp, out, m + 1, q)) &&
    (p.query === null || p.query.admit(text, marks, stamp, out, q + 1, queryEnd))
  );
}

type PartScans = Readonly<Record<LinePart, TextScan | null>>;

/** A scan per part of the request line for the chains of the rules `keep` keeps, null where none looks. */
function partScans(chains: Readonly<Record<LinePart, readonly Chain[]>>, keep: (rule: number) => boolean): PartScans {
  const fieldOf = (c: Chain): string => (c.target.root ?? c.target).field;
  const scan = (part: LinePart): TextScan | null => {
    const kept = chains[part].filter((c) => keep(c.rule));
    if (kept.length === 0) return null;
    return part === 'query'
      ? new TextScan(kept, QUERY_STARTS, (c) => ARG_FIELDS.has(fieldOf(c)))
      : new TextScan(kept, '');
  };
  return {
    line: scan('line'),
    method: scan('method'),
    target: scan('target'),
    version: scan('version'),
    path: scan('path'),
    query: scan('query'),
  };
}
