/**
 * LiteralSet scanner tables (./literalSet.ts) kept from a build instead of computed at first
 * use. Computing them is most of what judging the first request costs a fresh process (the
 * automata are built by code still running in the interpreter); read from the build's copy
 * they are a few reads of typed arrays from one file.
 *
 * A table is a pure function of its set's literals (in order) and options, and is stored under
 * exactly those: a set whose literals or options differ in any way (an edited rule, other
 * named lists) finds no table and computes its own. The copy itself is written and read only
 * by the bundle of the same build (../catalog/prebuilt.ts), so the code that computes the
 * tables is the code that wrote them. Tables are plain data (numbers, booleans, strings,
 * arrays, objects, typed arrays), stored as such without knowing their layout.
 */

/** A computed table, as LiteralSet holds it. */
export type Tables = object;

/** The key of a set's tables: everything its construction reads. */
export function scannerKey(
  literals: readonly string[],
  caseless: boolean,
  stopAt: string,
  stopAboveAscii: boolean,
  stopAtSubstrings: readonly string[],
): string {
  return JSON.stringify([literals, caseless, stopAt, stopAboveAscii, stopAtSubstrings]);
}

/** Where stored tables are looked up (null: none). */
let lookup: ((key: string) => Tables | undefined) | null = null;
/** While recording (the build), every table computed, by key. */
let recorded: Map<string, Tables> | null = null;

/** Serve tables from `find`; null stops serving. */
export function useStoredScanners(find: ((key: string) => Tables | undefined) | null): void {
  lookup = find;
}

/** The stored tables for `key`, if any. */
export function storedScanner(key: string): Tables | undefined {
  return lookup?.(key);
}

/** Called by LiteralSet with each table it computes: kept while recording. */
export function computedScanner(key: string, tables: Tables): void {
  recorded?.set(key, tables);
}

/** The tables computed while `run` runs (the build: the rule examples judged), none served from a store meanwhile. */
export function recordScanners(run: () => void): Map<string, Tables> {
  const saved = { lookup, recorded };
  const tables = new Map<string, Tables>();
  lookup = null;
  recorded = tables;
  try {
    run();
  } finally {
    ({ lookup, recorded } = saved);
  }
  return tables;
}

const TYPED = { Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;
export type TypedArray = InstanceType<(typeof TYPED)[TypedName]>;
/** Where a typed array stands in a table's layout: its type and what `put` returned for it. */
const TYPED_TAG = '$typed';
/** Where undefined (an array's hole) stands: JSON's null is a table's own null. */
const UNDEFINED_TAG = '$undefined';
/**
 * Where a list of integer lists (or undefined) stands, as two typed arrays: a LiteralSet's
 * outputs, one entry per automaton state and most of them undefined, were most of a layout's
 * JSON (tens of kB of `{"$undefined":true}` per table), parsed and walked at each start.
 */
const LISTS_TAG = '$lists';
/** The length a list of LISTS_TAG stores for an undefined entry. */
const NO_LIST = -1;

/** This machine's byte order, which stored typed arrays' bytes are in. */
export function endianness(): string {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';
}

/**
 * A table as JSON data, each typed array handed to `put` (which stores its bytes elsewhere)
 * and replaced by what it returns; null stays null, undefined (an array's hole) is tagged.
 */
export function tableLayout(v: unknown, put: (a: TypedArray) => unknown): unknown {
  if (v === null) return null;
  if (v === undefined) return { [UNDEFINED_TAG]: true };
  if (ArrayBuffer.isView(v)) {
    const name = v.constructor.name;
    if (!(name in TYPED)) throw new TypeError(`cannot store a ${name}`);
    return { [TYPED_TAG]: name, at: put(v as TypedArray) };
  }
  if (Array.isArray(v)) return isIntLists(v) ? intListsLayout(v as IntLists, put) : v.map((x) => tableLayout(x, put));
  // Anything but plain data (a Map, a function) would come back as something else: refused at the build.
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tableLayout(x, put)]));
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new TypeError(`cannot store a ${typeof v === 'object' ? v.constructor?.name : typeof v}`);
}

/** The table of `layout`, each typed array made by `get` (its constructor, and what `put` returned). */
export function tableOfLayout(
  layout: unknown,
  get: (make: (length: number) => TypedArray, at: unknown) => TypedArray,
): unknown {
  if (layout === null) return null;
  if (Array.isArray(layout)) return layout.map((x) => tableOfLayout(x, get));
  if (typeof layout !== 'object') return layout;
  const o = layout as Record<string, unknown>;
  if (o[UNDEFINED_TAG] === true) return undefined;
  const name = o[TYPED_TAG];
  if (typeof name === 'string' && name in TYPED) return get((n) => new TYPED[name as TypedName](n), o.at);
  if (o[LISTS_TAG] === true)
    return intListsOf(tableOfLayout(o.lengths, get) as Int32Array, tableOfLayout(o.values, get) as Int32Array);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, tableOfLayout(x, get)]));
}

type IntLists = ReadonlyArray<readonly number[] | undefined>;

function isInt32(x: unknown): x is number {
  return typeof x === 'number' && (x | 0) === x && !Object.is(x, -0);
}

/** Whether every entry (holes read as undefined) is undefined or a list of int32s without holes. */
function isIntLists(v: readonly unknown[]): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === undefined) continue;
    if (!Array.isArray(x)) return false;
    for (let k = 0; k < x.length; k++) if (!isInt32(x[k])) return false;
  }
  return true;
}

/** LISTS_TAG's layout of `lists`: each entry's length (NO_LIST for undefined), and all their values end to end. */
function intListsLayout(lists: IntLists, put: (a: TypedArray) => unknown): unknown {
  const lengths = new Int32Array(lists.length);
  const values: number[] = [];
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i];
    lengths[i] = list === undefined ? NO_LIST : list.length;
    if (list !== undefined) for (const x of list) values.push(x);
  }
  return { [LISTS_TAG]: true, lengths: tableLayout(lengths, put), values: tableLayout(Int32Array.from(values), put) };
}

function intListsOf(lengths: Int32Array, values: Int32Array): Array<number[] | undefined> {
  const lists: Array<number[] | undefined> = [];
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i] as number;
    if (length === NO_LIST) {
      lists.push(undefined);
      continue;
    }
    const list: number[] = [];
    for (let k = 0; k < length; k++) list.push(values[at++] as number);
    lists.push(list);
  }
  return lists;
}
