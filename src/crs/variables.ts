import { RequestValue } from './inspectedValue.js';
import { TextMemo } from './memo.js';
import type { NamedMembers, NamedValue } from './namedValue.js';
import { multipartStrictError } from './requestBody.js';
import type { Member } from './requestData.js';
import type { Selector, VariableRef } from './targets.js';
import { isCollection } from './targets.js';
import type { TransactionState } from './transactionState.js';

export type { NamedMembers };

/**
 * The values a variable reference stands for in a transaction: `ARGS` (every argument),
 * `ARGS:id`, `ARGS:/^id_/`, `&ARGS` (how many), minus the rule's and the transaction's
 * exclusions. Collections are built from the request data on demand.
 */
export function collectValues(
  tx: TransactionState,
  ref: VariableRef,
  exclusions: readonly VariableRef[],
): NamedValue[] {
  if (!ref.collection) {
    if (ref.count) return [{ name: ref.name, value: scalar(tx, ref.name) === undefined ? '0' : '1' }];
    return scalarValues(tx, ref.name);
  }
  if (ref.name === 'TX') return txValues(tx, ref, exclusions);
  const all = named(tx, ref.name);
  let relevant = false;
  for (const e of exclusions) if (e.name === ref.name) relevant = true;
  const selector = ref.selector;
  let out: NamedValue[];
  if (selector.kind === 'all' && !relevant) out = all.values;
  else {
    out = [];
    const lower = selector.kind === 'key' ? lowerKeys(all) : all.keys;
    for (let i = 0; i < all.values.length; i++) {
      const key = all.keys[i] as string;
      if (selector.kind === 'key') {
        if (lower[i] !== selector.key) continue;
      } else if (selector.kind !== 'all' && !selectorMatches(selector, key)) continue;
      if (relevant && excluded(ref, key, exclusions)) continue;
      out.push(all.values[i] as NamedValue);
    }
  }
  return ref.count ? [{ name: ref.name, value: String(out.length) }] : out;
}

/** The members' keys lowercased, once per collection and phase rather than per lookup. */
function lowerKeys(all: NamedMembers): readonly string[] {
  all.lower ??= all.keys.map((k) => k.toLowerCase());
  return all.lower;
}

/**
 * TX members, read from the live map itself: it holds a hundred variables that change from rule
 * to rule, so it is never copied into a collection (CRS's 920450 reads `TX:/^header_name_920450_/`
 * once per request header).
 */
function txValues(tx: TransactionState, ref: VariableRef, exclusions: readonly VariableRef[]): NamedValue[] {
  const selector = ref.selector;
  let out: NamedValue[];
  if (selector.kind === 'key') {
    const v = tx.tx.get(selector.key);
    out = v === undefined ? [] : [v];
  } else {
    let relevant = false;
    for (const e of exclusions) if (e.name === 'TX') relevant = true;
    out = [];
    for (const v of tx.tx.values()) {
      if (selector.kind === 'all' && !relevant) {
        out.push(v);
        continue;
      }
      if (selector.kind === 'regex') {
        if (!txSelects(selector, v.name)) continue;
        if (relevant && excluded(ref, v.name.slice(3), exclusions)) continue;
        out.push(v);
        continue;
      }
      const key = v.name.slice(3);
      if (selector.kind !== 'all' && !selectorMatches(selector, key)) continue;
      if (relevant && excluded(ref, key, exclusions)) continue;
      out.push(v);
    }
  }
  return ref.count ? [{ name: 'TX', value: String(out.length) }] : out;
}

/** Scalars that rules or ctl actions change within a phase: never kept. */
const LIVE_SCALARS = new Set(['MATCHED_VAR', 'MATCHED_VAR_NAME', 'REQBODY_PROCESSOR', 'REQUEST_BODY']);

function scalarValues(tx: TransactionState, name: string): NamedValue[] {
  const live = LIVE_SCALARS.has(name);
  const cached = live ? undefined : tx.collections.get(name);
  if (cached !== undefined) return cached.values;
  const value = scalar(tx, name);
  const values = value === undefined ? [] : [new RequestValue(name, tx.factsOf(value))];
  if (!live) tx.collections.set(name, { values, keys: [] });
  return values;
}

/** Request collections do not change within a phase: built once per phase and transaction. */
function named(tx: TransactionState, name: string): NamedMembers {
  const live = name === 'TX' || name === 'MATCHED_VARS' || name === 'MATCHED_VARS_NAMES';
  const cached = live ? undefined : tx.collections.get(name);
  if (cached !== undefined) return cached;
  const list = selectXml(tx, name) ?? members(tx, name);
  const built: NamedMembers = {
    values: list.map((m) => new RequestValue(`${name}:${m.key}`, tx.factsOf(m.value))),
    keys: list.map((m) => m.key),
  };
  if (!live) tx.collections.set(name, built);
  return built;
}

/** XML's two "members" are its two XPath selections, told apart by their keys. */
function selectXml(tx: TransactionState, name: string): readonly Member[] | undefined {
  if (name !== 'XML') return undefined;
  const xml = tx.phase >= 2 ? tx.body().xml : null;
  if (xml === null) return [];
  return [{ key: '/*', value: xml.text }, ...xml.attributes.map((value) => ({ key: '//@*', value }))];
}

/** `%{NAME}` and `%{COLLECTION.key}` in macros: the first value, undefined when there is none. */
export function resolveScalar(tx: TransactionState, spec: string): string | undefined {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  if (colon < 0) {
    if (name === 'MATCHED_VAR' || name === 'MATCHED_VAR_NAME' || !isCollectionName(name)) return scalar(tx, name);
    return members(tx, name)[0]?.value;
  }
  if (!isCollectionName(name)) return undefined;
  const key = spec.slice(colon + 1).toLowerCase();
  return members(tx, name).find((m) => m.key.toLowerCase() === key)?.value;
}

function isCollectionName(name: string): boolean {
  return isCollection(name as VariableRef['name']);
}

function selectorMatches(selector: Selector, key: string): boolean {
  switch (selector.kind) {
    case 'all':
      return true;
    case 'key':
      return key.toLowerCase() === selector.key;
    case 'regex':
      return regexSelects(selector, key);
    case 'xpath':
      return key === selector.path;
  }
}

/**
 * Selector regexes run on member names (cookie names, header names), the same few in every
 * request and for every rule that excludes them: their answers are remembered per selector.
 */
const selectorMemo = new WeakMap<Selector, TextMemo<boolean>>();

function regexSelects(selector: Extract<Selector, { kind: 'regex' }>, key: string): boolean {
  return memoOf(selectorMemo, selector).get(key, (k) => selector.regex.test(k));
}

/**
 * A regex selector's answers for TX names, by the whole name (`TX:` and the key): CRS's
 * `TX:/^header_name_920450_/` is asked of each of a hundred TX variables per request, most of
 * them set at the start of every request under the same name strings, so the lookup needs no
 * new string (a key sliced from the name would be hashed anew at every call).
 */
const txSelectorMemo = new WeakMap<Selector, TextMemo<boolean>>();

function txSelects(selector: Extract<Selector, { kind: 'regex' }>, name: string): boolean {
  return memoOf(txSelectorMemo, selector).get(name, (n) => regexSelects(selector, n.slice(3)));
}

/** The selector's memo in `memos`, made on first use (freed with the rule set that holds the selector). */
function memoOf(memos: WeakMap<Selector, TextMemo<boolean>>, selector: Selector): TextMemo<boolean> {
  let memo = memos.get(selector);
  if (memo === undefined) {
    memo = new TextMemo(512);
    memos.set(selector, memo);
  }
  return memo;
}

function excluded(ref: VariableRef, key: string, exclusions: readonly VariableRef[]): boolean {
  for (const e of exclusions) if (e.name === ref.name && selectorMatches(e.selector, key)) return true;
  return false;
}

const NO_MEMBERS: readonly Member[] = [];

function names(list: readonly Member[]): Member[] {
  return list.map((m) => ({ key: m.key, value: m.key }));
}

function members(tx: TransactionState, name: string): readonly Member[] {
  const r = tx.request;
  const body = tx.phase >= 2 ? tx.body() : null;
  switch (name) {
    case 'ARGS':
      return body === null || body.argsPost.length === 0 ? r.argsGet : [...r.argsGet, ...body.argsPost];
    case 'ARGS_GET':
      return r.argsGet;
    case 'ARGS_POST':
      return body?.argsPost ?? NO_MEMBERS;
    case 'ARGS_NAMES':
      return names(members(tx, 'ARGS'));
    case 'ARGS_GET_NAMES':
      return names(r.argsGet);
    case 'ARGS_POST_NAMES':
      return names(body?.argsPost ?? NO_MEMBERS);
    case 'REQUEST_HEADERS':
      return r.headers;
    case 'REQUEST_HEADERS_NAMES':
      return names(r.headers);
    case 'REQUEST_COOKIES':
      return r.cookies;
    case 'REQUEST_COOKIES_NAMES':
      return names(r.cookies);
    case 'RESPONSE_HEADERS':
      return tx.response?.headers ?? NO_MEMBERS;
    case 'RESPONSE_HEADERS_NAMES':
      return names(tx.response?.headers ?? NO_MEMBERS);
    case 'TX':
      return [...tx.tx.values()].map((v) => ({ key: v.name.slice(3), value: v.value }));
    case 'FILES':
      return body?.files ?? NO_MEMBERS;
    case 'FILES_NAMES':
      return names(body?.files ?? NO_MEMBERS);
    case 'FILES_SIZES':
      return body?.filesSizes ?? NO_MEMBERS;
    case 'MULTIPART_PART_HEADERS':
      return body?.partHeaders ?? NO_MEMBERS;
    case 'MATCHED_VARS':
      return tx.matchedVars.map((v) => ({ key: v.name, value: v.value }));
    case 'MATCHED_VARS_NAMES':
      return tx.matchedVars.map((v) => ({ key: v.name, value: v.name }));
    default:
      return NO_MEMBERS;
  }
}

function scalar(tx: TransactionState, name: string): string | undefined {
  const r = tx.request;
  switch (name) {
    case 'REQUEST_METHOD':
      return r.method;
    case 'REQUEST_URI':
      return r.uri;
    case 'REQUEST_URI_RAW':
      return r.uriRaw;
    case 'REQUEST_FILENAME':
      return r.filename;
    case 'REQUEST_BASENAME':
      return r.basename;
    case 'QUERY_STRING':
      return r.queryString;
    case 'REQUEST_PROTOCOL':
      return r.protocol;
    case 'REQUEST_LINE':
      return r.requestLine;
    case 'REMOTE_ADDR':
      return r.remoteAddr;
    case 'REMOTE_PORT':
      return r.remotePort;
    case 'UNIQUE_ID':
      return tx.uniqueId;
    case 'REQBODY_PROCESSOR':
      return tx.processor ?? '';
    case 'REQUEST_BODY':
      // ModSecurity v2 keeps the raw body only for the urlencoded processor or when forced.
      return tx.processor === 'URLENCODED' || tx.forceRequestBodyVariable ? r.body : undefined;
    case 'REQUEST_BODY_LENGTH':
      return String(r.body.length);
    case 'ARGS_COMBINED_SIZE':
      return String(members(tx, 'ARGS').reduce((n, m) => n + m.key.length + m.value.length, 0));
    case 'FILES_COMBINED_SIZE':
      return String((tx.phase >= 2 ? tx.body().filesSizes : []).reduce((n, m) => n + Number(m.value), 0));
    case 'MATCHED_VAR':
      return tx.matchedVar?.value ?? '';
    case 'MATCHED_VAR_NAME':
      return tx.matchedVar?.name ?? '';
    case 'RESPONSE_BODY':
      return tx.response?.body;
    case 'RESPONSE_STATUS':
      return tx.response?.status;
    case 'RESPONSE_PROTOCOL':
      return tx.response?.protocol;
    case 'RESPONSE_CONTENT_TYPE':
      return tx.response?.contentType;
    case 'RESPONSE_CONTENT_LENGTH':
      return tx.response === undefined ? undefined : String(tx.response.body.length);
    case 'DURATION':
      return '0';
    case 'SERVER_NAME':
      return (r.headers.find((h) => h.key.toLowerCase() === 'host')?.value ?? '').replace(/:\d+$/, '');
    case 'SERVER_PORT':
      return '80';
  }
  if (tx.phase < 2) return name === 'REQBODY_ERROR' || name.startsWith('MULTIPART_') ? '0' : undefined;
  const b = tx.body();
  const f = b.multipart;
  switch (name) {
    case 'REQBODY_ERROR':
      return flagOf(b.error !== null);
    case 'REQBODY_ERROR_MSG':
      return b.error ?? '';
    case 'MULTIPART_STRICT_ERROR':
      return flagOf(multipartStrictError(b));
    case 'MULTIPART_UNMATCHED_BOUNDARY':
      return flagOf(f?.unmatchedBoundary);
    case 'MULTIPART_BOUNDARY_QUOTED':
      return flagOf(f?.boundaryQuoted);
    case 'MULTIPART_BOUNDARY_WHITESPACE':
      return flagOf(f?.boundaryWhitespace);
    case 'MULTIPART_DATA_BEFORE':
      return flagOf(f?.dataBefore);
    case 'MULTIPART_DATA_AFTER':
      return flagOf(f?.dataAfter);
    case 'MULTIPART_HEADER_FOLDING':
      return flagOf(f?.headerFolding);
    case 'MULTIPART_LF_LINE':
    case 'MULTIPART_CRLF_LF_LINES':
      return flagOf(f?.lfLine);
    case 'MULTIPART_MISSING_SEMICOLON':
      return flagOf(f?.missingSemicolon);
    case 'MULTIPART_INVALID_QUOTING':
      return flagOf(f?.invalidQuoting);
    case 'MULTIPART_INVALID_PART':
      return flagOf(f?.invalidPart);
    case 'MULTIPART_INVALID_HEADER_FOLDING':
    case 'MULTIPART_FILE_LIMIT_EXCEEDED':
      return '0';
    case 'MULTIPART_FILENAME':
      return b.files[0]?.value;
    case 'MULTIPART_NAME':
      return b.files[0]?.key;
    default:
      return undefined;
  }
}

function flagOf(on: boolean | undefined): string {
  return on ? '1' : '0';
}
