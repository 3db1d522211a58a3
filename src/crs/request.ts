/**
 * What the engine is given: a request as a gateway, a log line or a capture sees it, and
 * where there is one, the response. Strings may be JavaScript strings or byte strings; the
 * engine turns both into byte strings (one latin1 character a byte), the form ModSecurity's
 * regexes and transformations were written for.
 */
export interface CrsRequest {
  readonly method: string;
  /** The request target as sent: origin form (`/a?b=c`), absolute form, `*` or `host:port`. */
  readonly uri: string;
  /** `HTTP/1.1` (`1.1` is accepted too). */
  readonly version: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer | string | null;
  readonly remoteAddr: string;
  readonly remotePort?: number;
}

export interface CrsResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer | string | null;
  readonly version?: string;
}

/** A value as bytes in latin1 form: text above U+00FF is taken as UTF-8, as it went over the wire. */
export function toByteString(value: Buffer | string | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return value.toString('latin1');
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) > 0xff) return Buffer.from(value, 'utf8').toString('latin1');
  return value;
}

export function protocolOf(version: string): string {
  return version.startsWith('HTTP/') ? version : `HTTP/${version}`;
}
