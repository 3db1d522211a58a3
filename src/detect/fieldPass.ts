import type { HttpRequest } from '../observe/observation.js';
import type { CompiledRule } from './compile.js';
import type { Doorkeeper } from './doorkeeper.js';
import { type FieldContext, oneEqualsEach } from './fields.js';
import { foldAscii } from './literalSet.js';
import type { MarkTable } from './markTable.js';
import type { Target } from './targets.js';
import type { IdentityGuard } from './transforms/identity.js';
import { type ChainLiterals, type ChainValues, chainsGuard, ValueScan } from './valueScan.js';

/** What a prefilter pass needs besides the request: the engine's scratch, reused for every request. */
export interface PassScratch {
  readonly admitted: MarkTable;
  readonly stamp: number;
  /** Receives each rule the first time this request's stamp marks it. */
  readonly candidates: number[];
  readonly doorkeeper: Doorkeeper;
  readonly chainValues: ChainValues;
}

/** One prefilter pass: stamps the rules the Observation's values admit. */
export interface PrefilterPass {
  admit(ctx: FieldContext, scratch: PassScratch): void;
}

/** The pass over one field's values (`request.path`, `args.values`, …), all chains at once. */
class FieldPass implements PrefilterPass {
  constructor(
    private readonly root: Target,
    private readonly scan: ValueScan,
  ) {}

  admit(ctx: FieldContext, s: PassScratch): void {
    const values = ctx.get(this.root);
    for (let v = 0; v < values.length; v++)
      this.scan.admit(values[v] as string, s.chainValues, s.admitted, s.stamp, s.candidates, s.doorkeeper);
  }
}

/**
 * The pass over request headers: rules on `headers.values` and rules on one header
 * (`header:referer`, `user-agent`) would each read the User-Agent; here each header value is
 * scanned once, by the scan for its name (its own chains plus those of `headers.values`), and
 * its name by the scan for `headers.names`, in one walk over the headers.
 */
class HeaderPass implements PrefilterPass {
  constructor(
    private readonly anyHeader: ValueScan | null,
    /** Header names with scans of their own, and those scans: a few, so a linear search (no hashing of fresh names). */
    private readonly ownNames: readonly string[],
    private readonly ownScans: readonly ValueScan[],
    private readonly names: ValueScan | null,
  ) {}

  admit(ctx: FieldContext, s: PassScratch): void {
    const o = ctx.observation;
    if (o.kind !== 'http') return;
    const headers = o.request.headers;
    for (let h = 0; h < headers.length; h++) {
      const [name, value] = headers[h] as readonly [string, string];
      const own = this.ownNames.indexOf(name);
      const scan = own >= 0 ? (this.ownScans[own] as ValueScan) : this.anyHeader;
      if (scan !== null) scan.admit(value, s.chainValues, s.admitted, s.stamp, s.candidates, s.doorkeeper);
      if (this.names !== null) this.names.admit(name, s.chainValues, s.admitted, s.stamp, s.candidates, s.doorkeeper);
    }
  }
}

/**
 * One scan of a text that holds several fields' values in place of the fields' own passes,
 * when the shortcut can vouch for it; the fields' own passes otherwise.
 */
class ShortcutPass implements PrefilterPass {
  constructor(
    private readonly combined: ValueScan,
    /** True when it has stamped (or rightly stamped nothing) for the request; false to fall back. */
    private readonly shortcut: (request: HttpRequest, combined: ValueScan, s: PassScratch) => boolean,
    private readonly separate: readonly PrefilterPass[],
  ) {}

  admit(ctx: FieldContext, s: PassScratch): void {
    const o = ctx.observation;
    if (o.kind === 'http' && this.shortcut(o.request, this.combined, s)) return;
    for (let p = 0; p < this.separate.length; p++) (this.separate[p] as PrefilterPass).admit(ctx, s);
  }
}

/**
 * The request line holds the method, the path and the query: when all are plain, one scan of
 * the line with the literals of all of them stamps a superset of what their own scans would (a
 * literal in the path is in the line), for about the cost of the line's scan alone. The superset only
 * costs evaluating a few more rules; the literals that occur in every request line
 * (`get / http/1.1`) are the line's own. Anything else — a stop, a value starting with a
 * character a chain changes, an Observation whose method, path or query is not in its line —
 * goes through the fields' own passes.
 */
function requestLineShortcut(r: HttpRequest, c: ValueScan, s: PassScratch): boolean {
  const { line, method, path, query } = r;
  return (
    c.startsUnchanged(line) &&
    c.startsUnchanged(method) &&
    c.startsUnchanged(path) &&
    c.startsUnchanged(query) &&
    line.includes(method) &&
    line.includes(path) &&
    line.includes(query) &&
    c.admitContaining(line, s.admitted, s.stamp, s.candidates)
  );
}

/**
 * Query arguments without splitting the query: when there is no body and the query is plain,
 * one scan of the query with the arguments' literals stamps a superset of what a scan per name
 * and value would (each is a piece of the query). Literals with `&` or `=` are left out: a
 * plain argument never holds the `&` that separates arguments, a name never holds `=`, and a
 * value holding one (`a=b=c`) sends the request to the fields' own passes — as do a stop, a
 * space, an argument starting with a character a chain changes, and a body.
 */
function queryArgsShortcut(r: HttpRequest, c: ValueScan, s: PassScratch): boolean {
  const { query, bodyPrefix } = r;
  // No query and no body: no arguments (what FieldContext.args gives).
  if (query === '' && bodyPrefix === '') return true;
  return (
    bodyPrefix === '' &&
    c.startsUnchanged(query) &&
    query.indexOf(' ') < 0 &&
    oneEqualsEach(query) &&
    c.admitContaining(query, s.admitted, s.stamp, s.candidates)
  );
}

/**
 * What the query scan for arguments must stop at: what the arguments' chains could change,
 * except the `&` no argument holds and the space refused per request; an argument starts at
 * the query's start (checked per request), after a `&` or after its `=`, so `&.` and `=.`
 * stop the scan where a chain changes a value starting with `.`, and so on.
 */
function queryArgsGuard(argChains: readonly ChainLiterals[]): IdentityGuard {
  const g = chainsGuard(argChains);
  return {
    characters: [...g.characters].filter((c) => c !== '&' && c !== ' ').join(''),
    substrings: [...new Set([...g.substrings, ...[...g.leading].flatMap((c) => [`&${c}`, `=${c}`])])],
    leading: g.leading,
    asciiOnly: g.asciiOnly,
  };
}

/** The chains' literals without those holding `&` or `=` (see queryArgsShortcut). */
function withoutSeparators(chains: readonly ChainLiterals[]): ChainLiterals[] {
  return chains.map(({ target, owners }) => ({
    target,
    owners: new Map([...owners].filter(([literal]) => !literal.includes('&') && !literal.includes('='))),
  }));
}

/** Fields that are the request line or parts of it, as they appear in it. */
const LINE_PARTS: readonly string[] = ['request.line', 'request.method', 'request.path', 'request.query'];
/** Fields split out of the query (and of a form body, which the line pass refuses). */
const QUERY_ARGS: readonly string[] = ['args.names', 'args.values'];

/** The header whose values a raw field lists, or null for fields that are not one header's values. */
function headerOf(root: Target): string | null {
  if (root.field === 'user-agent') return 'user-agent';
  return root.field.startsWith('header:') ? root.field.slice(7) : null;
}

/**
 * The passes for one kind of Observation: prefilter entries grouped by raw field, then by
 * transformation chain, literals ASCII case folded; fields that are header values go to one
 * header pass.
 */
export function buildPrefilterPasses(rules: readonly CompiledRule[], kind: CompiledRule['on']): PrefilterPass[] {
  const byRoot = new Map<Target, ChainLiterals[]>();
  for (const [target, owners] of chainLiterals(rules, kind)) {
    const root = target.root ?? target;
    byRoot.set(root, [...(byRoot.get(root) ?? []), { target, owners }]);
  }
  let salt = 0;
  const passes: PrefilterPass[] = [];
  const anyHeaderChains: ChainLiterals[] = [];
  const perHeader = new Map<string, ChainLiterals[]>();
  let nameChains: ChainLiterals[] = [];
  const lineParts: Array<{ pass: FieldPass; chains: ChainLiterals[] }> = [];
  const argParts: Array<{ pass: FieldPass; chains: ChainLiterals[] }> = [];
  for (const [root, chains] of byRoot) {
    const header = headerOf(root);
    if (root.field === 'headers.values') anyHeaderChains.push(...chains);
    else if (root.field === 'headers.names') nameChains = chains;
    else if (header !== null) perHeader.set(header, [...(perHeader.get(header) ?? []), ...chains]);
    else {
      const pass = new FieldPass(root, new ValueScan(chains, salt++, rules.length));
      if (LINE_PARTS.includes(root.field)) lineParts.push({ pass, chains });
      else if (QUERY_ARGS.includes(root.field)) argParts.push({ pass, chains });
      else passes.push(pass);
    }
  }
  if (lineParts.length > 1) {
    const combined = new ValueScan(
      lineParts.flatMap(({ chains }) => chains),
      salt++,
      rules.length,
    );
    passes.push(
      new ShortcutPass(
        combined,
        requestLineShortcut,
        lineParts.map(({ pass }) => pass),
      ),
    );
  } else passes.push(...lineParts.map(({ pass }) => pass));
  if (argParts.length > 0) {
    const argChains = argParts.flatMap(({ chains }) => chains);
    const combined = new ValueScan(withoutSeparators(argChains), salt++, rules.length, queryArgsGuard(argChains));
    passes.push(
      new ShortcutPass(
        combined,
        queryArgsShortcut,
        argParts.map(({ pass }) => pass),
      ),
    );
  }
  if (anyHeaderChains.length > 0 || perHeader.size > 0 || nameChains.length > 0) {
    const anyHeader = anyHeaderChains.length > 0 ? new ValueScan(anyHeaderChains, salt++, rules.length) : null;
    const ownScans = [...perHeader.values()].map(
      (chains) => new ValueScan([...anyHeaderChains, ...chains], salt++, rules.length),
    );
    const names = nameChains.length > 0 ? new ValueScan(nameChains, salt++, rules.length) : null;
    passes.push(new HeaderPass(anyHeader, [...perHeader.keys()], ownScans, names));
  }
  return passes;
}

/** Per prefiltered target, each folded literal and the rules it admits. */
function chainLiterals(rules: readonly CompiledRule[], kind: CompiledRule['on']): Map<Target, Map<string, number[]>> {
  const byTarget = new Map<Target, Map<string, number[]>>();
  rules.forEach((rule, index) => {
    if (rule.on !== kind || rule.prefilter === null) return;
    for (const { target, literals } of rule.prefilter) {
      const owners = byTarget.get(target) ?? new Map<string, number[]>();
      byTarget.set(target, owners);
      for (const literal of literals) {
        const folded = foldAscii(literal);
        const list = owners.get(folded) ?? [];
        if (!list.includes(index)) list.push(index);
        owners.set(folded, list);
      }
    }
  });
  return byTarget;
}
