import { EVIDENCE_VALUE_CHARS } from '../detect/finding.js';
import type { Match } from '../detect/types.js';
import { type HttpRequest, LIMITS } from '../observe/observation.js';

/**
 * The gateway's own floor under the rules: what it will never pass on, whatever the rule packs
 * say (a pack can be edited, broken, or reloaded with a mistake). A rule that names the threat
 * wins; these fallbacks only make sure such a request is refused.
 */
export type Refusal =
  | 'connect'
  | 'foreign-authority'
  | 'unparsable'
  | 'ambiguous-framing'
  | 'headers-too-large'
  | 'trace';

/** Who this site is: the names and ports an absolute-form target may carry and still mean us. */
export interface SiteIdentity {
  /** Lower-case host names and addresses. */
  readonly names: ReadonlySet<string>;
  /** The ports the site is reached on (80, 443 and the gateway's own listeners). */
  readonly ports: ReadonlySet<number>;
  readonly allowTrace: boolean;
}

/** Why this request must not be forwarded, or null. */
export function refusalFor(
  request: HttpRequest,
  site: SiteIdentity,
  rawHeaders: ReadonlyArray<readonly [string, string]>,
): Refusal | null {
  const method = request.method.toUpperCase();
  if (method === 'CONNECT' || request.form === 'authority') return 'connect';
  if (request.form === 'absolute' && !isSite(request, site)) return 'foreign-authority';
  if (request.form === 'malformed') return 'unparsable';
  // `OPTIONS *` asks about the server itself (RFC 9110 §9.3.7); any other method with `*` is nonsense.
  if (request.form === 'asterisk' && method !== 'OPTIONS') return 'unparsable';
  if (exceedsInspection(rawHeaders)) return 'headers-too-large';
  if (ambiguousFraming(request.headers)) return 'ambiguous-framing';
  if (method === 'TRACE' && !site.allowTrace) return 'trace';
  return null;
}

/** An absolute-form target means this site only with one of its names and one of its ports. */
function isSite(request: HttpRequest, site: SiteIdentity): boolean {
  const authority = request.authority;
  if (authority === null || !site.names.has(authority.host)) return false;
  const port = authority.port ?? (request.target.slice(0, 6).toLowerCase() === 'https:' ? 443 : 80);
  return site.ports.has(port);
}

/**
 * The rules see at most LIMITS.headerCount fields of at most LIMITS.headerValue bytes each: a
 * request with more would be forwarded with parts nobody judged, so it is refused instead.
 */
function exceedsInspection(rawHeaders: ReadonlyArray<readonly [string, string]>): boolean {
  if (rawHeaders.length > LIMITS.headerCount) return true;
  for (const [, value] of rawHeaders) if (value.length > LIMITS.headerValue) return true;
  return false;
}

/**
 * Request smuggling's raw material (RFC 9112 §6.3): both Content-Length and Transfer-Encoding,
 * more than one Content-Length, or a Transfer-Encoding other than a lone `chunked`. Node's strict
 * parser refuses most of these; this holds even when it has been made lenient
 * (`--insecure-http-parser`), because the upstream may read the framing differently.
 */
export function ambiguousFraming(headers: ReadonlyArray<readonly [string, string]>): boolean {
  let lengths = 0;
  let encodings = 0;
  let chunkedOnly = true;
  for (const [name, value] of headers) {
    if (name === 'content-length') {
      lengths++;
      if (!/^\d+$/.test(value.trim())) return true;
    } else if (name === 'transfer-encoding') {
      encodings++;
      if (value.trim().toLowerCase() !== 'chunked') chunkedOnly = false;
    }
  }
  return lengths > 1 || (lengths > 0 && encodings > 0) || encodings > 1 || (encodings === 1 && !chunkedOnly);
}

const FALLBACK: Readonly<Record<Refusal, { threat: string; name: string }>> = {
  connect: { threat: 'open-proxy-probe', name: 'gateway refuses proxy use' },
  'foreign-authority': { threat: 'open-proxy-probe', name: 'gateway refuses proxy use' },
  unparsable: { threat: 'malformed-request', name: 'gateway refuses an unparsable request' },
  'ambiguous-framing': { threat: 'malformed-request', name: 'gateway refuses ambiguous message framing' },
  'headers-too-large': { threat: 'malformed-request', name: 'gateway refuses headers beyond what its rules see' },
  trace: { threat: 'malformed-request', name: 'gateway refuses TRACE' },
};

/** The status a refusal is answered with (the 2003 incident's 400 for everything that is abuse). */
export function refusalStatus(refusal: Refusal): 400 | 405 | 431 {
  if (refusal === 'headers-too-large') return 431;
  if (refusal === 'trace') return 405;
  return 400;
}

/** A stand-in match for a refusal no rule named, so the event still says why. */
export function fallbackMatch(refusal: Refusal, request: HttpRequest): Match {
  const f = FALLBACK[refusal];
  return {
    family: 'rule',
    ruleId: `gateway-${refusal}`,
    ruleName: f.name,
    threatId: f.threat,
    severity: 'medium',
    score: 5,
    action: 'block',
    field: 'request.line',
    value: request.line.slice(0, EVIDENCE_VALUE_CHARS),
    tags: ['gateway'],
  };
}
