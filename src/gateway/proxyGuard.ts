import type { Match } from '../detect/types.js';
import type { HttpRequest } from '../observe/observation.js';

/**
 * The gateway's own floor under the rules: what it will never pass on, whatever the rule packs
 * say (a pack can be edited, broken, or reloaded with a mistake). A rule that names the threat
 * wins; these fallbacks only make sure such a request is refused.
 */
export type Refusal = 'connect' | 'foreign-authority' | 'unparsable';

/** Why this request must not be forwarded, or null. `siteNames` holds lower-case host names. */
export function refusalFor(request: HttpRequest, siteNames: ReadonlySet<string>): Refusal | null {
  if (request.method.toUpperCase() === 'CONNECT' || request.form === 'authority') return 'connect';
  if (request.form === 'absolute' && request.authority && !siteNames.has(request.authority.host))
    return 'foreign-authority';
  if (request.form === 'malformed' || request.form === 'asterisk') return 'unparsable';
  return null;
}

const FALLBACK_THREAT: Readonly<Record<Refusal, string>> = {
  connect: 'open-proxy-probe',
  'foreign-authority': 'open-proxy-probe',
  unparsable: 'malformed-request',
};

/** A stand-in match for a refusal no rule named, so the event still says why. */
export function fallbackMatch(refusal: Refusal, request: HttpRequest): Match {
  return {
    ruleId: `gateway-${refusal}`,
    ruleName: `gateway refuses ${refusal === 'unparsable' ? 'an unparsable request' : 'proxy use'}`,
    threatId: FALLBACK_THREAT[refusal],
    severity: 'medium',
    score: 5,
    action: 'block',
    field: 'request.line',
    value: request.line.slice(0, 256),
    tags: ['gateway'],
  };
}
