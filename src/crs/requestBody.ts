import { parseJsonBody } from './bodies/json.js';
import { type MultipartFlags, parseMultipart } from './bodies/multipart.js';
import { parseUrlencoded } from './bodies/urlencoded.js';
import { parseXmlBody } from './bodies/xml.js';
import { type Member, members } from './requestData.js';
import type { BodyProcessorName } from './rule.js';

/** What a body processor made of the request body (phase 2 on). */
export interface BodyData {
  readonly argsPost: readonly Member[];
  /** FILES: field name → file name. */
  readonly files: readonly Member[];
  readonly filesSizes: readonly Member[];
  readonly partHeaders: readonly Member[];
  readonly xml: { readonly text: string; readonly attributes: readonly string[] } | null;
  readonly error: string | null;
  readonly multipart: MultipartFlags | null;
}

const EMPTY: BodyData = {
  argsPost: [],
  files: [],
  filesSizes: [],
  partHeaders: [],
  xml: null,
  error: null,
  multipart: null,
};

export function processBody(processor: BodyProcessorName | null, body: string, contentType: string): BodyData {
  if (body === '' || processor === null) return EMPTY;
  switch (processor) {
    case 'URLENCODED':
      return { ...EMPTY, argsPost: members(parseUrlencoded(body)) };
    case 'JSON': {
      const r = parseJsonBody(body);
      return r.ok ? { ...EMPTY, argsPost: members(r.args) } : { ...EMPTY, error: r.error };
    }
    case 'XML': {
      const r = parseXmlBody(body);
      return r.ok ? { ...EMPTY, xml: { text: r.text, attributes: r.attributes } } : { ...EMPTY, error: r.error };
    }
    case 'MULTIPART': {
      const r = parseMultipart(body, contentType);
      return {
        argsPost: members(r.args),
        files: r.files.map((f) => ({ key: f.field, value: f.filename })),
        filesSizes: r.files.map((f) => ({ key: f.field, value: String(f.size) })),
        partHeaders: r.partHeaders.map(([key, value]) => ({ key, value })),
        xml: null,
        error: r.error,
        multipart: r.flags,
      };
    }
  }
}

/** MULTIPART_STRICT_ERROR: any irregularity ModSecurity's strict multipart check reports. */
export function multipartStrictError(body: BodyData): boolean {
  const f = body.multipart;
  if (f === null) return false;
  return (
    body.error !== null ||
    f.boundaryQuoted ||
    f.boundaryWhitespace ||
    f.dataBefore ||
    f.dataAfter ||
    f.headerFolding ||
    f.lfLine ||
    f.missingSemicolon ||
    f.invalidQuoting ||
    f.invalidPart
  );
}
