import type { Argument } from './urlencoded.js';

/**
 * `multipart/form-data` as ModSecurity v2 reads it: fields become arguments, file parts give
 * FILES (the file name) and FILES_NAMES (the field name), every part's header lines are kept
 * for MULTIPART_PART_HEADERS, and the irregularities ModSecurity flags are flagged too (they
 * feed MULTIPART_STRICT_ERROR and the MULTIPART_* variables).
 */
export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly size: number;
}

export interface MultipartFlags {
  boundaryQuoted: boolean;
  boundaryWhitespace: boolean;
  dataBefore: boolean;
  dataAfter: boolean;
  headerFolding: boolean;
  lfLine: boolean;
  missingSemicolon: boolean;
  invalidQuoting: boolean;
  invalidPart: boolean;
  unmatchedBoundary: boolean;
}

export interface MultipartResult {
  readonly args: Argument[];
  readonly files: MultipartFile[];
  /** [part name, header line] for every header of every part. */
  readonly partHeaders: Array<readonly [string, string]>;
  readonly flags: MultipartFlags;
  /** Set when the body cannot be read as multipart at all. */
  readonly error: string | null;
}

export function parseMultipart(body: string, contentType: string): MultipartResult {
  const flags: MultipartFlags = {
    boundaryQuoted: false,
    boundaryWhitespace: false,
    dataBefore: false,
    dataAfter: false,
    headerFolding: false,
    lfLine: false,
    missingSemicolon: false,
    invalidQuoting: false,
    invalidPart: false,
    unmatchedBoundary: false,
  };
  const result: MultipartResult = { args: [], files: [], partHeaders: [], flags, error: null };
  const boundary = boundaryOf(contentType, flags);
  if (boundary === null) return { ...result, error: 'Multipart: boundary missing or invalid' };
  const delimiter = `--${boundary}`;
  let at = body.startsWith(delimiter) ? 0 : body.indexOf(`\n${delimiter}`);
  if (at < 0) return { ...result, error: 'Multipart: no boundary found' };
  if (at > 0) {
    flags.dataBefore = true;
    at++;
  }
  for (;;) {
    let cursor = at + delimiter.length;
    if (body.startsWith('--', cursor)) {
      const rest = body.slice(cursor + 2);
      if (rest.replace(/^\r?\n/, '') !== '') flags.dataAfter = true;
      return result;
    }
    if (body.startsWith('\r\n', cursor)) cursor += 2;
    else if (body[cursor] === '\n') {
      flags.lfLine = true;
      cursor += 1;
    } else return { ...result, error: 'Multipart: invalid boundary line' };
    const next = findDelimiter(body, delimiter, cursor);
    if (next === null) return { ...result, error: 'Multipart: final boundary missing' };
    if (next.lf) flags.lfLine = true;
    const part = readPart(body.slice(cursor, next.contentEnd), flags);
    if (part === null) return { ...result, error: 'Multipart: invalid part header' };
    for (const line of part.headers) result.partHeaders.push([part.name, line]);
    if (part.filename !== undefined)
      result.files.push({ field: part.name, filename: part.filename, size: part.content.length });
    else result.args.push({ name: part.name, value: part.content });
    if (/^\r?\n--/m.test(part.content) && part.content.includes(delimiter.slice(0, 4))) flags.unmatchedBoundary = true;
    at = next.delimiterStart;
  }
}

function boundaryOf(contentType: string, flags: MultipartFlags): string | null {
  const matches = [...contentType.matchAll(/;\s*boundary(\s*)=(\s*)("([^"]*)"|[^;,\s]*)/gi)];
  if (matches.length !== 1) return null;
  const m = matches[0] as RegExpMatchArray;
  if ((m[1] as string) !== '' || (m[2] as string) !== '') flags.boundaryWhitespace = true;
  const quoted = m[4];
  if (quoted !== undefined) flags.boundaryQuoted = true;
  const boundary = quoted ?? (m[3] as string);
  return boundary === '' || boundary.length > 70 ? null : boundary;
}

function findDelimiter(
  body: string,
  delimiter: string,
  from: number,
): { contentEnd: number; delimiterStart: number; lf: boolean } | null {
  let at = body.indexOf(`\n${delimiter}`, from - 1);
  while (at >= 0) {
    const after = body.slice(at + 1 + delimiter.length, at + 3 + delimiter.length);
    if (after === '--' || after.startsWith('\r') || after.startsWith('\n') || after === '') {
      const cr = at > 0 && body[at - 1] === '\r';
      return { contentEnd: cr ? at - 1 : at, delimiterStart: at + 1, lf: !cr };
    }
    at = body.indexOf(`\n${delimiter}`, at + 1);
  }
  return null;
}

interface Part {
  name: string;
  filename: string | undefined;
  headers: string[];
  content: string;
}

function readPart(raw: string, flags: MultipartFlags): Part | null {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split === null ? raw : raw.slice(0, split.index);
  const content = split === null ? '' : raw.slice(split.index + split[0].length);
  const headers: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      flags.headerFolding = true;
      headers[headers.length - 1] += ` ${line.trim()}`;
    } else if (line.indexOf(':') <= 0) {
      flags.invalidPart = true;
      return null;
    } else headers.push(line);
  }
  const disposition = headers.find((h) => /^content-disposition\s*:/i.test(h));
  if (disposition === undefined) {
    flags.invalidPart = true;
    return null;
  }
  const params = dispositionParams(disposition.slice(disposition.indexOf(':') + 1), flags);
  if (params === null) return null;
  return { name: params.get('name') ?? '', filename: params.get('filename'), headers, content };
}

/** `form-data; name="a"; filename="b"`: the parameters, flagging the quoting ModSecurity distrusts. */
function dispositionParams(value: string, flags: MultipartFlags): Map<string, string> | null {
  const params = new Map<string, string>();
  const text = value.trim();
  if (!/^form-data\b/i.test(text)) {
    flags.invalidPart = true;
    return null;
  }
  let i = 'form-data'.length;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    if (text[i] !== ';') flags.missingSemicolon = true;
    else i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const name = text.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    let parsed = '';
    if (text[j] === '"') {
      j++;
      while (j < text.length && text[j] !== '"') {
        // Only a quote or a backslash can be escaped; other backslashes stay (IE sends them).
        if (text[j] === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) {
          parsed += text[j + 1];
          j += 2;
        } else parsed += text[j++];
      }
      j++;
    } else {
      while (j < text.length && text[j] !== ';') parsed += text[j++];
      parsed = parsed.trim();
      if (parsed.includes("'") || parsed.includes('"')) flags.invalidQuoting = true;
    }
    if (parsed.includes("'")) flags.invalidQuoting = true;
    params.set(name, parsed);
    i = j;
  }
  return params;
}
