import { compileRegex, type SafeRegex } from '../detect/regex.js';
import { CrsError, type SourceLocation } from './errors.js';

/**
 * The variables a rule inspects (`ARGS|!ARGS:foo|&TX:score|REQUEST_HEADERS:/^x-/|XML:/*`),
 * read into references. Which names exist, and which of them are collections, is fixed here:
 * a name outside the list is refused at load with its file and line.
 */
export const COLLECTIONS = [
  'ARGS',
  'ARGS_GET',
  'ARGS_POST',
  'ARGS_NAMES',
  'ARGS_GET_NAMES',
  'ARGS_POST_NAMES',
  'REQUEST_HEADERS',
  'REQUEST_HEADERS_NAMES',
  'REQUEST_COOKIES',
  'REQUEST_COOKIES_NAMES',
  'RESPONSE_HEADERS',
  'RESPONSE_HEADERS_NAMES',
  'TX',
  'FILES',
  'FILES_NAMES',
  'FILES_SIZES',
  'MULTIPART_PART_HEADERS',
  'XML',
  'MATCHED_VARS',
  'MATCHED_VARS_NAMES',
  'ENV',
  // Persistent collections (initcol) and GeoIP data: a pure, per-request engine keeps none, so
  // they read as empty, as in Coraza (CRS 3.3 consults them only when configured to).
  'IP',
  'GLOBAL',
  'SESSION',
  'USER',
  'RESOURCE',
  'GEO',
] as const;

export const SCALARS = [
  'REQUEST_FILENAME',
  'REQUEST_BASENAME',
  'REQUEST_URI',
  'REQUEST_URI_RAW',
  'REQUEST_LINE',
  'REQUEST_METHOD',
  'REQUEST_PROTOCOL',
  'QUERY_STRING',
  'REQUEST_BODY',
  'REQUEST_BODY_LENGTH',
  'ARGS_COMBINED_SIZE',
  'FILES_COMBINED_SIZE',
  'REMOTE_ADDR',
  'REMOTE_PORT',
  'UNIQUE_ID',
  'REQBODY_ERROR',
  'REQBODY_ERROR_MSG',
  'REQBODY_PROCESSOR',
  'MULTIPART_STRICT_ERROR',
  'MULTIPART_UNMATCHED_BOUNDARY',
  'MULTIPART_BOUNDARY_QUOTED',
  'MULTIPART_BOUNDARY_WHITESPACE',
  'MULTIPART_DATA_BEFORE',
  'MULTIPART_DATA_AFTER',
  'MULTIPART_HEADER_FOLDING',
  'MULTIPART_LF_LINE',
  'MULTIPART_MISSING_SEMICOLON',
  'MULTIPART_INVALID_QUOTING',
  'MULTIPART_INVALID_PART',
  'MULTIPART_INVALID_HEADER_FOLDING',
  'MULTIPART_FILE_LIMIT_EXCEEDED',
  'MULTIPART_CRLF_LF_LINES',
  'MULTIPART_FILENAME',
  'MULTIPART_NAME',
  'MATCHED_VAR',
  'MATCHED_VAR_NAME',
  'RESPONSE_BODY',
  'RESPONSE_STATUS',
  'RESPONSE_PROTOCOL',
  'RESPONSE_CONTENT_TYPE',
  'RESPONSE_CONTENT_LENGTH',
  'SERVER_NAME',
  'SERVER_PORT',
  'DURATION',
] as const;

export type CollectionName = (typeof COLLECTIONS)[number];
export type ScalarName = (typeof SCALARS)[number];
export type VariableName = CollectionName | ScalarName;

const COLLECTION_SET: ReadonlySet<string> = new Set(COLLECTIONS);
const SCALAR_SET: ReadonlySet<string> = new Set(SCALARS);

/** Which members of a collection a reference names. Keys compare case-insensitively (ModSecurity v2). */
export type Selector =
  | { readonly kind: 'all' }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'regex'; readonly source: string; readonly regex: SafeRegex }
  /** `XML:/*` (the document's text) and `XML://@*` (every attribute value): all CRS asks of XPath. */
  | { readonly kind: 'xpath'; readonly path: '/*' | '//@*' };

export interface VariableRef {
  readonly name: VariableName;
  /** Whether the name is a collection (decided once, here, rather than at every request). */
  readonly collection: boolean;
  readonly selector: Selector;
  /** `&ARGS`: the number of members rather than their values. */
  readonly count: boolean;
}

export interface Targets {
  readonly include: readonly VariableRef[];
  /** `!ARGS:foo`: members removed from every reference to the same collection. */
  readonly exclude: readonly VariableRef[];
  /**
   * The targets as written, when their values cannot change within a phase: rules inspecting
   * the same targets (most CRS rules inspect the same six) share one list of values per phase.
   * Null when a target is live (TX, MATCHED_VAR…, the body variables ctl actions switch).
   */
  readonly key: string | null;
}

/** Variables a rule, a ctl action or the body processor may change within a phase. */
const LIVE: ReadonlySet<VariableName> = new Set([
  'TX',
  'MATCHED_VAR',
  'MATCHED_VAR_NAME',
  'MATCHED_VARS',
  'MATCHED_VARS_NAMES',
  'REQBODY_PROCESSOR',
  'REQUEST_BODY',
]);

/** Whether a rule, a ctl action or the body processor may change the variable's values within a phase. */
export function isLive(name: VariableName): boolean {
  return LIVE.has(name);
}

export function targetsKey(include: readonly VariableRef[], text: string): string | null {
  return include.some((r) => LIVE.has(r.name)) ? null : text;
}

export function parseTargets(text: string, where: SourceLocation): Targets {
  const include: VariableRef[] = [];
  const exclude: VariableRef[] = [];
  for (const item of splitTargets(text)) {
    if (item === '') continue;
    const negated = item.startsWith('!');
    const ref = parseTarget(negated ? item.slice(1) : item, where);
    (negated ? exclude : include).push(ref);
  }
  return { include, exclude, key: targetsKey(include, text) };
}

/** `|` separates targets, except inside a `/regex/` selector, which may hold alternations. */
function splitTargets(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let j = i;
    while (j < text.length && text[j] !== ':' && text[j] !== '|') j++;
    const name = text
      .slice(i, j)
      .replace(/^[!&]+/, '')
      .trim()
      .toUpperCase();
    if (text[j] === ':' && text[j + 1] === '/' && name !== 'XML') {
      // A regex selector: skip to its closing slash (escaped slashes do not close it).
      j += 2;
      while (j < text.length && text[j] !== '/') j += text[j] === '\\' ? 2 : 1;
    }
    while (j < text.length && text[j] !== '|') j++;
    out.push(text.slice(i, j).trim());
    i = j + 1;
  }
  return out;
}

export function parseTarget(text: string, where: SourceLocation): VariableRef {
  const count = text.startsWith('&');
  const body = count ? text.slice(1) : text;
  const colon = body.indexOf(':');
  const rawName = (colon < 0 ? body : body.slice(0, colon)).toUpperCase();
  let key = colon < 0 ? undefined : body.slice(colon + 1);
  if (!COLLECTION_SET.has(rawName) && !SCALAR_SET.has(rawName))
    throw new CrsError('E_CRS_UNSUPPORTED', where, `variable ${rawName} is not supported`);
  const name = rawName as VariableName;
  const collection = COLLECTION_SET.has(name);
  if (key === undefined || key === '') return { name, collection, selector: { kind: 'all' }, count };
  if (!collection) throw new CrsError('E_CRS_SYNTAX', where, `${name} is not a collection: ${text}`);
  if (key.length >= 2 && key.startsWith("'") && key.endsWith("'")) key = key.slice(1, -1);
  if (name === 'XML') {
    if (key !== '/*' && key !== '//@*')
      throw new CrsError('E_CRS_UNSUPPORTED', where, `XPath ${key} is not supported (only /* and //@*)`);
    return { name, collection, selector: { kind: 'xpath', path: key }, count };
  }
  if (key.length >= 2 && key.startsWith('/') && key.endsWith('/')) {
    const source = key.slice(1, -1);
    try {
      // Key regexes are matched on member names, which the engine compares case-insensitively.
      return {
        name,
        collection,
        selector: { kind: 'regex', source, regex: compileRegex(source, { caseInsensitive: true }) },
        count,
      };
    } catch (err) {
      throw new CrsError('E_CRS_COMPILE', where, `selector ${key}: ${(err as Error).message}`);
    }
  }
  return { name, collection, selector: { kind: 'key', key: key.toLowerCase() }, count };
}

/** A reference as SecLang writes it (`&ARGS:/^id_/`), for keys. */
export function refText(ref: VariableRef): string {
  const s = ref.selector;
  const key =
    s.kind === 'all' ? '' : s.kind === 'key' ? `:${s.key}` : s.kind === 'regex' ? `:/${s.source}/` : `:${s.path}`;
  return `${ref.count ? '&' : ''}${ref.name}${key}`;
}

export function isCollection(name: VariableName): name is CollectionName {
  return COLLECTION_SET.has(name);
}
